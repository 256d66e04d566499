import { z } from "zod";
import { EnrichmentError } from "../errors";
import { type DossierField, foundFields } from "../field-dictionary";
import type { Integration } from "../types";
import { hunterBaseUrl, hunterGet } from "./hunter-api";
import { asBoolean, asNumber, asString, clamp01, completenessOf, trimForStorage } from "./provider-call";

const configSchema = z.object({ baseUrl: hunterBaseUrl });

const OUTPUTS = ["emailVerdict", "emailDisposable", "emailFreeProvider", "emailAcceptsMail", "emailAcceptAll"] as const satisfies readonly DossierField[];

type Verdict = "deliverable" | "risky" | "undeliverable" | "unknown";

const BY_STATUS: Record<string, Verdict> = {
  valid: "deliverable",
  invalid: "undeliverable",
  accept_all: "risky",
  disposable: "risky",
  unknown: "unknown",
};

/** Hunter's `status` is the current answer; its older `result` still decides webmail addresses it cannot probe. */
function verdictOf(status: string | undefined, result: string | undefined): Verdict {
  if (status && BY_STATUS[status]) return BY_STATUS[status];
  if (result === "deliverable" || result === "undeliverable" || result === "risky") return result;
  return "unknown";
}

/** 202: verification still running; 222: the remote SMTP server failed. Hunter says to ask again later. */
const notYet = (status: number) =>
  new EnrichmentError(
    `HTTP_${status}`,
    status === 202 ? "Hunter is still verifying this address" : "Hunter could not verify: the remote mail server failed",
    "provider_failure",
    { retryable: true, statusCode: status },
  );

export const hunterEmailVerifier: Integration = {
  code: "hunter_email_verifier",
  name: "Hunter Email Verifier",
  description:
    "Checks the deliverability of the entity's email with Hunter's Email Verifier (SMTP check, MX records, catch-all, disposable and webmail detection): deliverable, risky, undeliverable or unknown.",
  entityTypes: ["person"],
  inputs: [["email"]],
  outputs: [...OUTPUTS],
  credits: 1,
  costCents: 1,
  timeoutMs: 20_000,
  retry: { maxAttempts: 3, baseDelayMs: 1000 },
  // Hunter allows 10 verifications a second.
  maxConcurrency: 5,
  cache: { ttlSeconds: 7 * 24 * 3600, scope: "global" },
  credentialNames: ["apiKey"],
  enabledByDefault: false,
  configSchema,
  lookupKey(input) {
    return String(input.attributes.email).toLowerCase();
  },
  async execute(input, ctx) {
    const { baseUrl } = configSchema.parse(ctx.config);
    const { status, data } = await hunterGet(ctx, baseUrl, "email-verifier", { email: String(input.attributes.email) });
    if (status === 202 || status === 222) throw notYet(status);
    const hunterStatus = asString(data.status);
    const verdict = verdictOf(hunterStatus, asString(data.result));
    const fields = foundFields({
      emailVerdict: verdict,
      emailDisposable: asBoolean(data.disposable),
      emailFreeProvider: asBoolean(data.webmail),
      emailAcceptsMail: asBoolean(data.mx_records),
      emailAcceptAll: asBoolean(data.accept_all),
    });
    const score = asNumber(data.score);
    const { sources, ...checks } = data;
    return {
      fields,
      enrichmentData: { ...(trimForStorage(checks) as Record<string, unknown>), sources: Array.isArray(sources) ? sources.length : 0 },
      dataQuality: { completeness: completenessOf(fields, OUTPUTS), confidence: score === undefined ? 0.5 : clamp01(score / 100) },
      summary: `${String(data.email ?? input.attributes.email)}: ${verdict} (Hunter status ${hunterStatus ?? "n/a"}, score ${score ?? "n/a"})`,
    };
  },
};
