import type { EnrichedField } from "../../../db/schema/entities";
import type { Db } from "../../../platform/db/client";
import { prepared, runStatements } from "../../../platform/db/statements";
import { type FieldFinding, enrichedFieldsStatement, enrichedPatch } from "../../entities";
import { auditStatementIf } from "../../tenancy";
import { type NewRecord, type RecordRow, recordCharge, recordStatement, recordWritten, recordsByTaskKey, recordsFrom } from "../records/record-store";

/** What a finished task writes: its records, their charges, and what depends on a record having been written. */
export interface TaskWrite {
  orgId: string;
  actorKeyId: string | null;
  /** Each with a task key: a second run of the task inserts nothing. */
  records: NewRecord[];
  /** Fields for one of the organization's entities, from one record (kept only if that record was written now). */
  entityFields?: { entityId: string; current: Record<string, EnrichedField>; recordId: string; finding: FieldFinding };
  /** More statements that land with the records (a new schema version), each guarded by its builder. */
  extra?: (D1PreparedStatement | { toSQL(): { sql: string; params: unknown[] } })[];
}

/**
 * Writes a task's records, their charges (once per succeeded record with credits, see recordCharge), the entity's
 * fields and the caller's extra statements in ONE D1 batch, then answers the records D1 holds for the task's keys:
 * the first run's when this is a repeat, which is what the job must count.
 */
export async function writeTask(db: Db, write: TaskWrite): Promise<RecordRow[]> {
  const statements: D1PreparedStatement[] = [];
  for (const record of write.records) {
    statements.push(recordStatement(db, record));
    if (record.success && record.credits > 0) statements.push(...recordCharge(db, { ...record, jobId: record.jobId ?? null, model: record.model ?? null }, write.actorKeyId).statements);
  }
  const fields = write.entityFields;
  if (fields) {
    const guard = recordWritten(fields.recordId, write.orgId);
    const patch = enrichedPatch(fields.current, [fields.finding]);
    const update = enrichedFieldsStatement(db, write.orgId, fields.entityId, patch, guard);
    if (update) {
      statements.push(
        update,
        auditStatementIf(
          db,
          {
            orgId: write.orgId,
            actorKeyId: write.actorKeyId,
            action: "entity.enriched",
            targetType: "entity",
            targetId: fields.entityId,
            data: { source: fields.finding.source, recordId: fields.recordId, fields: Object.keys(patch) },
          },
          guard,
        ),
      );
    }
  }
  for (const s of write.extra ?? []) statements.push("toSQL" in s ? prepared(db, s) : s);
  const keys = write.records.flatMap((r) => (r.taskKey ? [r.taskKey] : []));
  const reads = recordsByTaskKey(db, keys);
  const results = await runStatements(db, [...statements, ...reads]);
  return recordsFrom(results.slice(statements.length));
}

/** The stored record for a task key among `rows`, else the one this run built (what to report either way). */
export function storedOr(rows: RecordRow[], record: NewRecord): RecordRow {
  return rows.find((r) => r.taskKey === record.taskKey) ?? (record as RecordRow);
}
