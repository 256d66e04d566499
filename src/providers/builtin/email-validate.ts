import { missingInput } from "../errors";
import type { Integration, IntegrationContext, IntegrationInput } from "../types";
import { type EmailAddress, analyzeEmail } from "./email-address";
import { recordObservations } from "./email-pattern-store";
import { inferPattern } from "./email-patterns";
import { type MailDomain, acceptsMail, lookupMailDomain } from "./mail-domain";
import { personNameOf } from "./person-name";

export type EmailVerdict = "deliverable" | "risky" | "undeliverable" | "unknown";

/** Without an SMTP probe nothing proves the mailbox exists, so "deliverable" stops short of certainty. */
const CONFIDENCE: Record<EmailVerdict, number> = { deliverable: 0.8, risky: 0.7, undeliverable: 0.95, unknown: 0.3 };

const DOMAIN_REASONS: Record<MailDomain["status"], string> = {
  mx: "mx_found",
  implicit_a: "no_mx_record_a_fallback",
  null_mx: "null_mx",
  no_mail: "no_mail_server",
  nxdomain: "domain_not_found",
  dns_failure: "mx_lookup_failed",
};

/**
 * The verdict and every reason behind it, strongest first. A failed MX lookup's reason says what happened:
 * `mx_lookup_failed: the resolver answered HTTP 500`.
 */
export function judgeEmail(address: EmailAddress, mail: MailDomain): { verdict: EmailVerdict; reasons: string[] } {
  const domainReason = DOMAIN_REASONS[mail.status];
  const reasons = [mail.status === "dns_failure" && mail.failure ? `${domainReason}: ${mail.failure}` : domainReason];
  if (address.disposable) reasons.push("disposable_domain");
  if (address.roleAddress) reasons.push("role_address");
  if (address.freeProvider) reasons.push("free_provider");
  if (mail.status === "dns_failure") return { verdict: "unknown", reasons };
  if (!acceptsMail(mail.status)) return { verdict: "undeliverable", reasons };
  if (mail.status === "implicit_a" || address.disposable || address.roleAddress) return { verdict: "risky", reasons };
  return { verdict: "deliverable", reasons };
}

const emailOf = (input: IntegrationInput) => {
  const email = input.attributes.email;
  if (typeof email !== "string" || email.trim() === "") throw missingInput("Needs an email address");
  return email;
};

/**
 * A deliverable personal address at a company domain tells which format that company uses; it feeds the
 * pattern table `email_discover` ranks by. Losing one observation is harmless, so failures are only logged.
 */
async function learnPattern(input: IntegrationInput, ctx: IntegrationContext, address: EmailAddress) {
  const name = personNameOf(input.attributes);
  const pattern = name ? inferPattern(address.localPart, name) : null;
  if (!pattern) return;
  try {
    await recordObservations(ctx.db, ctx.settings, [{ email: address.normalized, domain: address.domain, pattern, source: "email_validate" }]);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "recording an email pattern failed", error: String(error) }));
  }
}

/** `email_validate`: syntax, normalization, provider lists and an MX check over DNS-over-HTTPS. */
export const emailValidate: Integration = {
  code: "email_validate",
  name: "Email validation",
  description:
    "Checks an address's syntax, normalizes it, flags disposable, free-mail and role (info@, sales@) addresses and looks up the " +
    "domain's MX records over DNS-over-HTTPS; answers deliverable, risky, undeliverable or unknown with the reasons. No mailbox-level (SMTP) probe.",
  entityTypes: ["person"],
  inputs: [["email"]],
  outputs: ["emailVerdict", "emailNormalized", "emailAcceptsMail", "emailDisposable", "emailFreeProvider", "emailRoleAddress"],
  credits: 1,
  costCents: 0,
  timeoutMs: 5000,
  retry: { maxAttempts: 3, baseDelayMs: 200 },
  maxConcurrency: 20,
  cache: { ttlSeconds: 7 * 24 * 3600, scope: "global" },
  credentialNames: [],
  enabledByDefault: true,
  lookupKey(input) {
    return emailOf(input).trim().toLowerCase();
  },
  async execute(input, ctx) {
    const email = emailOf(input);
    const address = analyzeEmail(email);
    if (!address) {
      return {
        enrichmentData: { email, syntaxValid: false, verdict: "undeliverable", reasons: ["invalid_syntax"] },
        fields: { emailVerdict: "undeliverable" },
        dataQuality: { completeness: 1 / emailValidate.outputs.length, confidence: 1 },
        summary: `${email}: undeliverable (invalid syntax)`,
      };
    }
    const mail = await lookupMailDomain(ctx, address.domain);
    const { verdict, reasons } = judgeEmail(address, mail);
    if (verdict === "deliverable" && !address.freeProvider) await learnPattern(input, ctx, address);
    const accepts = mail.status === "dns_failure" ? null : acceptsMail(mail.status);
    const fields = {
      emailVerdict: verdict,
      emailNormalized: address.normalized,
      ...(accepts === null ? {} : { emailAcceptsMail: accepts }),
      emailDisposable: address.disposable,
      emailFreeProvider: address.freeProvider,
      emailRoleAddress: address.roleAddress,
    };
    return {
      // An `unknown` verdict came from a DNS failure: a later call may do better, so it is not kept.
      ...(verdict === "unknown" ? { cacheTtlSeconds: 0 } : {}),
      enrichmentData: {
        email,
        syntaxValid: true,
        normalized: address.normalized,
        canonical: address.canonical,
        domain: address.domain,
        registrableDomain: address.registrableDomain,
        verdict,
        reasons,
        disposable: address.disposable,
        freeProvider: address.freeProvider,
        roleAddress: address.roleAddress,
        mailDomain: { status: mail.status, mx: mail.mx, ...(mail.failure ? { failure: mail.failure } : {}) },
      },
      fields,
      dataQuality: { completeness: Object.keys(fields).length / emailValidate.outputs.length, confidence: CONFIDENCE[verdict] },
      summary: `${address.normalized}: ${verdict} (${reasons.join(", ")})`,
    };
  },
};
