import { and, eq, inArray } from "drizzle-orm";
import { entities } from "../../../db/schema/entities";
import { companyAttributesSchema, personAttributesSchema } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { IN_LIST_LIMIT } from "../../../platform/db/statements";
import type { Env } from "../../../platform/env";
import { chunks } from "../../../platform/lib/chunks";
import { getJobRow } from "../create";
import { jobReader } from "../engine/stub";
import { taskKindOf } from "../engine/task-kind";
import type { EntityOutcome } from "../engine/types";
import { INTEGRATION_TASK } from "../integration-task/kind";
import type { IntegrationTaskResult } from "../integration-task/spec";
import { toCsv } from "./write";

const CSV_CHUNK = 200;

/** Attribute columns in the order the attribute schemas list them (person, then company), then `custom.*` sorted. */
const ATTRIBUTE_ORDER = [...new Set([...Object.keys(personAttributesSchema.in.shape), ...Object.keys(companyAttributesSchema.in.shape)])].filter(
  (a) => a !== "custom",
);

/** An integration job's entity outcome: its results are enrichment results (without the entity fields). */
type IntegrationOutcome = Omit<EntityOutcome, "results"> & { results: IntegrationTaskResult[] };

type StoredEntity = { type: string; attributes: Record<string, unknown>; enriched: Record<string, { value: unknown }> };

async function storedEntities(db: Db, orgId: string, ids: string[]): Promise<Map<string, StoredEntity>> {
  const out = new Map<string, StoredEntity>();
  for (const chunk of chunks(ids, IN_LIST_LIMIT)) {
    const rows = await db
      .select({ id: entities.id, type: entities.type, attributes: entities.attributes, enriched: entities.enriched })
      .from(entities)
      .where(and(eq(entities.orgId, orgId), inArray(entities.id, chunk)));
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** `custom: {tier: "gold"}` → `custom.tier`, as the importer reads it back. */
function flatAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  const { custom, ...rest } = attributes;
  const own = custom && typeof custom === "object" ? Object.entries(custom as Record<string, unknown>).map(([k, v]) => [`custom.${k}`, v]) : [];
  return { ...rest, ...Object.fromEntries(own) };
}

/**
 * `results.csv`: one row per entity in job order. First the input, as `POST /v1/jobs` reads it back (entityId,
 * externalId, type and the entity's attributes under their own names), so the file can be uploaded again as it is;
 * then `enriched.<field>` for every field this job found (the value the entity has now); then the entity's status,
 * credits and cost; then per integration its status, error code and error message. The importer ignores everything
 * after the input. Another kind's job (an LLM run) has the columns every kind's outcome has (`kindCsv`).
 */
export async function jobResultsCsv(env: Env, db: Db, orgId: string, jobId: string): Promise<string> {
  const job = await getJobRow(db, orgId, jobId);
  const reader = jobReader(env, jobId);
  const outcomes: IntegrationOutcome[] = [];
  for (let from = 0; ; from += CSV_CHUNK) {
    const chunk = await reader.outcomes(from, CSV_CHUNK);
    outcomes.push(...(chunk as IntegrationOutcome[]));
    if (chunk.length < CSV_CHUNK) break;
  }
  if (job.kind !== INTEGRATION_TASK) return kindCsv(job.kind, outcomes);
  const stored = await storedEntities(db, orgId, outcomes.map((o) => o.entityId));
  const foundBy = (o: IntegrationOutcome) => new Set(o.results.flatMap((r) => (r.success ? (r.result?.fieldsEnriched ?? []) : [])));
  const fieldNames = [...new Set(outcomes.flatMap((o) => [...foundBy(o)]))].sort();
  const attributeRows = outcomes.map((o) => flatAttributes(stored.get(o.entityId)?.attributes ?? {}));
  const present = new Set(attributeRows.flatMap((a) => Object.keys(a)));
  const attributeColumns = [...ATTRIBUTE_ORDER.filter((a) => present.has(a)), ...[...present].filter((a) => a.startsWith("custom.")).sort()];

  const rows = outcomes.map((o, i) => {
    const entity = stored.get(o.entityId);
    const found = foundBy(o);
    return {
      entityId: o.entityId,
      externalId: o.externalId,
      type: entity?.type,
      ...attributeRows[i],
      ...Object.fromEntries(fieldNames.map((f) => [`enriched.${f}`, found.has(f) ? entity?.enriched[f]?.value : undefined])),
      status: o.status,
      credits: o.results.reduce((s, r) => s + (r.success ? r.credits : 0), 0),
      costCents: o.results.reduce((s, r) => s + r.costCents, 0),
      ...Object.fromEntries(
        job.integrationCodes.flatMap((code) => {
          const result = o.results.find((r) => r.integrationCode === code);
          return [
            [`${code}.status`, result?.status],
            [`${code}.errorCode`, result?.error?.code],
            [`${code}.error`, result?.error?.message],
          ];
        }),
      ),
    };
  });
  const columns = [
    "entityId",
    "externalId",
    "type",
    ...attributeColumns,
    ...fieldNames.map((f) => `enriched.${f}`),
    "status",
    "credits",
    "costCents",
    ...job.integrationCodes.flatMap((code) => [`${code}.status`, `${code}.errorCode`, `${code}.error`]),
  ];
  return toCsv(rows, columns);
}

const KIND_COLUMNS = ["entityId", "externalId", "status", "errorCode", "skipped", "credits"];

/** Another kind's results: one row per entity in job order with what every kind's outcome has (no id for a job-local input). */
function kindCsv(kind: string, outcomes: EntityOutcome[]): string {
  const { presentOutcome } = taskKindOf({ kind });
  const rows = outcomes.map((o) => ({
    entityId: o.entityId || undefined,
    externalId: o.externalId,
    status: o.status,
    // The error the kind shows in GET /v1/jobs/{id}/results.
    errorCode: presentOutcome(o).error?.code,
    skipped: o.skipped?.code,
    credits: o.results.reduce((s, r) => s + (r.success ? r.credits : 0), 0),
  }));
  return toCsv(rows, KIND_COLUMNS);
}
