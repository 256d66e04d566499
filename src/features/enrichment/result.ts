import type { ErrorCategory } from "../../providers/types";

export interface ResultError {
  code: string;
  message: string;
  category: ErrorCategory;
  retryable: boolean;
  statusCode?: number;
}

/** One integration's outcome for one entity, as the API answers it. */
export interface EnrichmentResult {
  success: boolean;
  status: "succeeded" | "failed" | "skipped";
  enrichmentId: string;
  integrationCode: string;
  integrationName: string;
  cached: boolean;
  globalEnrichmentId?: string;
  executionTime: number;
  costCents: number;
  credits: number;
  attempts: number;
  result?: {
    fieldsEnriched: string[];
    dataQuality: { completeness: number; confidence: number };
    summary: string;
    enrichmentData: Record<string, unknown>;
  };
  /** Kept for writing the entity's `enriched` map; not part of the public answer. */
  fields?: Record<string, unknown>;
  error?: ResultError;
  createdAt: string;
}

export function publicResult(r: EnrichmentResult) {
  const { fields: _fields, ...rest } = r;
  return rest;
}
