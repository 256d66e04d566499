import { and, count, desc, eq, inArray } from "drizzle-orm";
import { type LlmRecordType, llmRecords } from "../../../db/schema/llm";
import type { Db } from "../../../platform/db/client";
import { decodeRow } from "../../../platform/db/decode-row";
import { prebuiltInsert } from "../../../platform/db/prebuilt-insert";
import { type SqlFragment, sqlFragment } from "../../../platform/db/sql-fragment";
import { IN_LIST_LIMIT, prepared, runStatements } from "../../../platform/db/statements";
import { notFound } from "../../../platform/errors";
import type { Caller } from "../../../platform/http/context";
import { type Cursor, afterCursor, pageOf } from "../../../platform/http/pagination";
import { chunks } from "../../../platform/lib/chunks";
import { chargeOnce } from "../../billing";
import { auditStatement } from "../../tenancy";

export type RecordRow = typeof llmRecords.$inferSelect;
export type NewRecord = typeof llmRecords.$inferInsert;

/** A repeated task's record is ignored (unique task key): what makes records, and so their charges, exactly-once. */
const insertRecord = prebuiltInsert(llmRecords, "ON CONFLICT DO NOTHING");

/** Stored prompts and answers are the organization's data, but a row must stay small: long exchanges are cut. */
const MAX_TEXT = 64 * 1024;
const MAX_PROMPTS_BYTES = 512 * 1024;

const cut = (value: unknown): string => {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… [cut at ${MAX_TEXT} characters]` : text;
};

/** An exchange over 128 KiB keeps its request and answer as cut text; past 512 KiB in all, later exchanges go (with a note). */
export function capPrompts(prompts: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let size = 0;
  for (const [i, p] of prompts.entries()) {
    const entry = JSON.stringify(p).length > 2 * MAX_TEXT ? { ...p, requestBody: cut(p.requestBody), rawResponse: cut(p.rawResponse) } : p;
    const length = JSON.stringify(entry).length;
    if (size + length > MAX_PROMPTS_BYTES) {
      out.push({ note: `${prompts.length - i} more exchanges not kept (over ${MAX_PROMPTS_BYTES} bytes)` });
      break;
    }
    size += length;
    out.push(entry);
  }
  return out;
}

/** The record insert for the caller's batch (ignored when its task key already has a record). */
export const recordStatement = (db: Db, record: NewRecord): D1PreparedStatement => insertRecord(db, { ...record, prompts: capPrompts(record.prompts as Record<string, unknown>[]) });

/** Holds in a later statement of the same batch exactly when that batch inserted this record. */
export const recordWritten = (recordId: string, orgId: string): SqlFragment =>
  sqlFragment("EXISTS (SELECT 1 FROM llm_records WHERE id = ? AND org_id = ?)", recordId, orgId);

/**
 * The record's charge, once ever: it lands only if this very record was inserted and succeeded, so a repeated run
 * (whose record was ignored) charges nothing.
 */
export function recordCharge(db: Db, record: Pick<RecordRow, "id" | "orgId" | "credits" | "costMicroUsd" | "model" | "type" | "jobId">, actorKeyId: string | null) {
  return chargeOnce(db, {
    orgId: record.orgId,
    credits: record.credits,
    costCents: Math.round(record.costMicroUsd / 10_000),
    reason: `llm ${record.type} ${record.model ?? ""}`.trim(),
    integrationCode: `llm:${record.model ?? record.type}`,
    sourceId: record.id,
    jobId: record.jobId,
    actorKeyId,
    onlyIf: sqlFragment("EXISTS (SELECT 1 FROM llm_records WHERE id = ? AND org_id = ? AND success = 1)", record.id, record.orgId),
  });
}

/** The records D1 holds for these task keys, as reads for the writer's own batch (decode with `recordsFrom`). */
export const recordsByTaskKey = (db: Db, keys: string[]) => chunks(keys, IN_LIST_LIMIT).map((c) => prepared(db, db.select().from(llmRecords).where(inArray(llmRecords.taskKey, c))));

export function recordsFrom(results: D1Result[]): RecordRow[] {
  return results.flatMap((r) => ((r.results ?? []) as Record<string, unknown>[]).map((raw) => decodeRow(llmRecords, raw)));
}

export async function getRecord(db: Db, orgId: string, id: string): Promise<RecordRow> {
  const [row] = await db
    .select()
    .from(llmRecords)
    .where(and(eq(llmRecords.orgId, orgId), eq(llmRecords.id, id)))
    .limit(1);
  if (!row) throw notFound("Record");
  return row;
}

export async function recordsByIds(db: Db, orgId: string, ids: string[]): Promise<RecordRow[]> {
  const rows: RecordRow[] = [];
  for (const c of chunks(ids, IN_LIST_LIMIT)) rows.push(...(await db.select().from(llmRecords).where(and(eq(llmRecords.orgId, orgId), inArray(llmRecords.id, c)))));
  return rows;
}

/** A job entity's records of one type (the model records a fusion takes). */
export async function entityRecords(db: Db, orgId: string, jobId: string, entityIndex: number, type: LlmRecordType): Promise<RecordRow[]> {
  return db
    .select()
    .from(llmRecords)
    .where(and(eq(llmRecords.orgId, orgId), eq(llmRecords.jobId, jobId), eq(llmRecords.entityIndex, entityIndex), eq(llmRecords.type, type)))
    .orderBy(llmRecords.createdAt);
}

export interface RecordQuery {
  limit: number;
  cursor?: Cursor;
  /** Also count every record the filters select (for clients that page by number). */
  withTotal?: boolean;
  /** Skip this many records first (page numbers, for clients that page by number; without a cursor). */
  offset?: number;
  type?: LlmRecordType;
  jobId?: string;
  entityId?: string;
  schemaId?: string;
  model?: string;
  success?: boolean;
}

export async function listRecords(db: Db, orgId: string, q: RecordQuery) {
  const filters = and(
    eq(llmRecords.orgId, orgId),
    q.type ? eq(llmRecords.type, q.type) : undefined,
    q.jobId ? eq(llmRecords.jobId, q.jobId) : undefined,
    q.entityId ? eq(llmRecords.entityId, q.entityId) : undefined,
    q.schemaId ? eq(llmRecords.schemaId, q.schemaId) : undefined,
    q.model ? eq(llmRecords.model, q.model) : undefined,
    q.success === undefined ? undefined : eq(llmRecords.success, q.success),
  );
  const [rows, counted] = await Promise.all([
    db
      .select()
      .from(llmRecords)
      .where(and(filters, afterCursor(llmRecords.createdAt, llmRecords.id, q.cursor)))
      .orderBy(desc(llmRecords.createdAt), desc(llmRecords.id))
      .limit(q.limit + 1)
      .offset(q.offset ?? 0),
    q.withTotal ? db.select({ n: count() }).from(llmRecords).where(filters) : Promise.resolve(null),
  ]);
  const page = pageOf(rows, q.limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentRecordSummary), nextCursor: page.nextCursor, ...(counted ? { total: counted[0]?.n ?? 0 } : {}) };
}

/** Deletes up to 100 of the organization's records; answers which were deleted and which it does not have. */
export async function deleteRecords(db: Db, caller: Caller, ids: string[]) {
  const unique = [...new Set(ids)];
  const found = new Set((await recordsByIds(db, caller.orgId, unique)).map((r) => r.id));
  const deleted = unique.filter((id) => found.has(id));
  if (deleted.length > 0) {
    await runStatements(db, [
      ...chunks(deleted, IN_LIST_LIMIT).map((c) => prepared(db, db.delete(llmRecords).where(and(eq(llmRecords.orgId, caller.orgId), inArray(llmRecords.id, c))))),
      prepared(db, auditStatement(db, { orgId: caller.orgId, actorKeyId: caller.keyId, action: "llm_record.deleted", targetType: "llm_record", targetId: null, data: { ids: deleted } })),
    ]);
  }
  return { deleted, notFound: unique.filter((id) => !found.has(id)) };
}

export function presentRecordSummary(row: RecordRow) {
  return {
    id: row.id,
    type: row.type,
    jobId: row.jobId,
    entityIndex: row.entityIndex,
    entityId: row.entityId,
    schemaId: row.schemaId,
    schemaVersion: row.schemaVersion,
    model: row.model,
    strategy: row.strategy,
    success: row.success,
    partialSuccess: row.partialSuccess,
    output: row.output,
    usage: {
      inputTokens: row.inputTokens,
      cachedInputTokens: row.cachedInputTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      outputTokens: row.outputTokens,
      reasoningTokens: row.reasoningTokens,
      estimated: row.usageEstimated,
    },
    costUsd: row.costMicroUsd / 1_000_000,
    costMicroUsd: row.costMicroUsd,
    costPicoUsd: row.costPicoUsd,
    credits: row.credits,
    durationMs: row.durationMs,
    error: row.error,
    createdAt: row.createdAt,
  };
}

export function presentRecord(row: RecordRow) {
  return {
    ...presentRecordSummary(row),
    fields: row.fields,
    conflictReport: row.conflictReport,
    sourceRecordIds: row.sourceRecordIds,
    details: row.details,
    prompts: row.prompts,
    validationErrors: row.validationErrors,
  };
}
