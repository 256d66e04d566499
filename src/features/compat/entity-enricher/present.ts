import type { z } from "@hono/zod-openapi";
import type { presentSchema } from "../../llm";
import type { EnricherJobSchema, EnricherRecordSchema } from "./schemas";
import { snakeKeys } from "./snake-case";

type EnricherRecord = z.infer<typeof EnricherRecordSchema> & Record<string, unknown>;

/** Keys inside these are the schema's or a model's own. */
const KEEP = new Set(["jsonSchema", "expertiseDomains", "output", "fields", "details", "prompts", "validationErrors", "valuesByModel", "error"]);

/** A record (as /v1 presents it, whole or in a list) the Entity Enricher way: snake_case, its output as `structured_output`, `cost` in USD. */
export function presentEnricherRecord(record: { id: string; output: Record<string, unknown> | null; costUsd: number }): EnricherRecord {
  const { output, ...rest } = record;
  return { ...(snakeKeys(rest, KEEP) as object), record_id: record.id, structured_output: output, cost: record.costUsd } as EnricherRecord;
}

/** A saved schema (as /v1 presents it) in snake_case around the JSON Schema and its domains, which keep their keys. */
export function presentEnricherSchema(schema: ReturnType<typeof presentSchema>) {
  return snakeKeys(schema, KEEP) as Record<string, unknown>;
}

/** A job (as GET /v1/jobs/{id} shows it) in snake_case, its id also as `job_id`. */
export function presentEnricherJob(job: { id: string } & Record<string, unknown>): z.infer<typeof EnricherJobSchema> {
  return { job_id: job.id, ...(snakeKeys(job, new Set()) as Omit<z.infer<typeof EnricherJobSchema>, "job_id">) };
}
