import type { AutoJobResult, AutoJobStatus } from "../../../db/schema/auto-enrichment";
import type { EnrichmentResult } from "../../enrichment";
import type { Decision, Finding } from "./decide";

/** An integration that lacked its inputs did not run: it is skipped, not failed (nor is the job). */
const lackedInput = (r: EnrichmentResult) => r.error?.code === "MISSING_INPUT";

export function statusOf(r: EnrichmentResult): AutoJobResult["status"] {
  if (r.status === "skipped" || lackedInput(r)) return "skipped";
  if (r.success) return "succeeded";
  return r.error?.category === "no_data" ? "no_data" : "failed";
}

/** The findings promotion works from: successful results with fields, in plan order. */
export function findingsOf(results: EnrichmentResult[]): Finding[] {
  return results.flatMap((r) =>
    r.success && r.fields
      ? [{ integrationCode: r.integrationCode, enrichmentId: r.enrichmentId, confidence: r.result?.dataQuality.confidence ?? 0, at: r.createdAt, fields: r.fields }]
      : [],
  );
}

/** Each integration's part of the job: how it ran and what became of its findings. */
export function jobResults(results: EnrichmentResult[], decision: Decision): AutoJobResult[] {
  return results.map((r) => {
    const fields = decision.byIntegration.get(r.integrationCode);
    const { code, message, category, retryable, statusCode } = r.error ?? { code: "", message: "", category: "system", retryable: false };
    return {
      integrationCode: r.integrationCode,
      status: statusOf(r),
      enrichmentId: r.status === "skipped" ? null : r.enrichmentId,
      cached: r.cached,
      credits: r.success ? r.credits : 0,
      costCents: r.costCents,
      attempts: r.attempts,
      executionTime: r.executionTime,
      error: r.error ? { code, message, category, retryable, ...(statusCode !== undefined ? { statusCode } : {}) } : null,
      fieldsEnriched: r.success ? Object.keys(r.fields ?? {}) : [],
      fieldsFilled: fields?.filled ?? [],
      fieldsUpdated: fields?.updated ?? [],
      fieldsProposed: fields?.proposed ?? [],
      fieldsSkipped: fields?.skipped ?? [],
      conflictIds: fields?.conflictIds ?? [],
    };
  });
}

/**
 * `succeeded`: everything that ran succeeded or found nothing; `partial`: some failed; `failed`: all failed; `skipped`
 * with MISSING_INPUT when none could run for lack of inputs.
 */
export function jobStatusOf(results: AutoJobResult[]): { status: AutoJobStatus; skipReason: "MISSING_INPUT" | null } {
  const ran = results.filter((r) => r.status !== "skipped");
  if (ran.length === 0) return { status: "skipped", skipReason: "MISSING_INPUT" };
  const failed = ran.filter((r) => r.status === "failed").length;
  if (failed === 0) return { status: "succeeded", skipReason: null };
  return { status: failed === ran.length ? "failed" : "partial", skipReason: null };
}

export async function valueHash(value: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(value)));
  return [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
