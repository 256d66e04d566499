/**
 * Value sets shared by the tables, the zod contracts and the TypeScript types: each declared once, here, because the
 * drizzle tables (db/schema) may import only domain/ and platform/. (Entity types are in attributes.ts; roles in
 * platform/http/context.ts, beside the Caller that carries one.)
 */

/** How an enrichment runs its integrations: all in parallel, or in order until the fields are filled. */
export const STRATEGIES = ["all", "waterfall"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const JOB_STATUSES = ["queued", "processing", "paused", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const BILLING_MODES = ["prepaid", "postpaid"] as const;
export type BillingMode = (typeof BILLING_MODES)[number];
