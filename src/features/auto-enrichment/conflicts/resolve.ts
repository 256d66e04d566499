import { and, eq } from "drizzle-orm";
import { type ResolutionAction, autoEnrichmentConflicts } from "../../../db/schema/auto-enrichment";
import { type AttributeSource, entities } from "../../../db/schema/entities";
import type { Db } from "../../../platform/db/client";
import { decodeRow } from "../../../platform/db/decode-row";
import { type SqlFragment, sqlFragment } from "../../../platform/db/sql-fragment";
import { rawStatement, runStatements } from "../../../platform/db/statements";
import type { Env } from "../../../platform/env";
import { ApiError } from "../../../platform/errors";
import { publish } from "../../../platform/events";
import type { Caller } from "../../../platform/http/context";
import { nowIso } from "../../../platform/lib/time";
import { type EntityRow, attributePath, attributeValue, attributeWriteStatement, attributesAfter, normalizeAttributeValue, searchTextStatement } from "../../entities";
import { auditStatementIf } from "../../tenancy";
import { derivedEvent } from "../events";
import { type ConflictRow, getConflictRow, presentConflict } from "./read";

export interface Resolution {
  action: ResolutionAction;
  value?: unknown;
  note?: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The attribute still holds what the conflict was raised against (null: still empty). */
const stillHolds = (conflict: ConflictRow): SqlFragment =>
  sqlFragment(
    `EXISTS (SELECT 1 FROM entities WHERE id = ? AND org_id = ? AND json_extract(attributes, ?) IS json_extract(?, '$'))`,
    conflict.entityId,
    conflict.orgId,
    attributePath(conflict.field),
    JSON.stringify(conflict.currentValue ?? null),
  );

const valueChanged = (current: unknown) =>
  new ApiError("CONFLICT", "The attribute changed since this conflict was raised; review it again", { details: { currentValue: current ?? null } });

/** A closed conflict answers the same resolution again (idempotent); any other is a 409. */
function alreadyResolved(conflict: ConflictRow, resolution: Resolution, entity: EntityRow | undefined) {
  const repeat = conflict.resolutionAction === resolution.action && (resolution.action !== "custom" || same(conflict.resolutionValue, resolution.value));
  if (!repeat) {
    throw new ApiError("CONFLICT", `This conflict is already resolved (${conflict.resolutionAction ?? "closed"})`, {
      details: { resolution: conflict.resolutionAction },
    });
  }
  return { conflict: presentConflict(conflict, entity), applied: applied(conflict) };
}

const applied = (c: ConflictRow) =>
  c.resolutionAction === "accept" || c.resolutionAction === "custom" ? { field: c.field, value: c.resolutionValue ?? null } : null;

async function readEntity(db: Db, orgId: string, id: string): Promise<EntityRow | undefined> {
  const [row] = await db
    .select()
    .from(entities)
    .where(and(eq(entities.orgId, orgId), eq(entities.id, id)))
    .limit(1);
  return row;
}

/**
 * Resolves one conflict. `accept` writes the proposed value, `custom` the given one (validated like any write of that
 * attribute), both as the customer's (source `resolution`); `keep` leaves the value and suppresses the same proposal
 * from the same source later; `dismiss` only closes it. One batch, compare-and-set twice over: the conflict must still
 * be open and (except for `dismiss`) the attribute must still hold the value it was raised against; the write, the
 * suppression and the audit row land only under this resolution's token. Answers 409 otherwise.
 */
export async function resolveConflict(env: Env, db: Db, caller: Caller, id: string, resolution: Resolution, bulk = false) {
  const conflict = await getConflictRow(db, caller.orgId, id);
  const entity = await readEntity(db, caller.orgId, conflict.entityId);
  if (conflict.status !== "open") return alreadyResolved(conflict, resolution, entity);
  if (resolution.action !== "custom" && resolution.value !== undefined) {
    throw new ApiError("VALIDATION_ERROR", "Only a custom resolution takes a value", { details: [{ path: "value", message: `Not allowed with '${resolution.action}'` }] });
  }
  let value: unknown = null;
  if (resolution.action === "custom") {
    if (resolution.value === undefined || resolution.value === null) {
      throw new ApiError("VALIDATION_ERROR", "A custom resolution needs a value", { details: [{ path: "value", message: "Required for 'custom'" }] });
    }
    const normalized = normalizeAttributeValue(conflict.entityType, conflict.field, resolution.value);
    if (!normalized.ok) throw new ApiError("VALIDATION_ERROR", "Invalid value for this attribute", { details: [{ path: "value", message: normalized.message }] });
    value = normalized.value;
  } else if (resolution.action === "accept") {
    value = conflict.proposedValue;
  }
  const writes = resolution.action === "accept" || resolution.action === "custom";
  const checks = resolution.action !== "dismiss";
  if (checks && !entity) throw new ApiError("CONFLICT", "The entity no longer exists", { details: { currentValue: null } });
  const current = entity ? attributeValue(entity.attributes, conflict.field) : undefined;
  if (checks && !same(current, conflict.currentValue)) throw valueChanged(current);

  const now = nowIso();
  const token = crypto.randomUUID();
  const resolved = sqlFragment("EXISTS (SELECT 1 FROM auto_enrichment_conflicts WHERE id = ? AND resolve_token = ?)", conflict.id, token);
  const guard = checks ? stillHolds(conflict) : sqlFragment("1");
  const statements: D1PreparedStatement[] = [
    rawStatement(
      db,
      `UPDATE auto_enrichment_conflicts SET status = 'resolved', resolution_action = ?, resolution_value = ?, resolution_note = ?, resolved_at = ?,
         resolved_by_key_id = ?, resolve_token = ?
       WHERE id = ? AND org_id = ? AND status = 'open' AND ${guard.sql}
       RETURNING id`,
      resolution.action,
      writes ? JSON.stringify(value) : null,
      resolution.note ?? null,
      now,
      caller.keyId,
      token,
      conflict.id,
      caller.orgId,
      ...guard.params,
    ),
  ];
  if (writes && entity) {
    const source: AttributeSource = {
      source: "resolution",
      ...(resolution.action === "accept" ? { integrationCode: conflict.proposedSource, enrichmentId: conflict.enrichmentId, confidence: conflict.proposedConfidence } : {}),
      setAt: now,
      setByKeyId: caller.keyId,
    };
    statements.push(
      attributeWriteStatement(db, {
        orgId: caller.orgId,
        entityId: entity.id,
        name: conflict.field,
        value,
        source,
        expect: { value: current, replaces: "any" },
        onlyIf: resolved,
      }),
      searchTextStatement(db, entity, attributesAfter(entity.attributes, [{ name: conflict.field, value }]), resolved),
    );
  }
  if (resolution.action === "keep") {
    statements.push(
      rawStatement(
        db,
        `INSERT OR IGNORE INTO auto_enrichment_suppressions (org_id, entity_id, field, source, value_hash, conflict_id, created_at)
         SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${resolved.sql}`,
        caller.orgId,
        conflict.entityId,
        conflict.field,
        conflict.proposedSource,
        conflict.proposedHash,
        conflict.id,
        now,
        ...resolved.params,
      ),
    );
  }
  statements.push(
    auditStatementIf(
      db,
      {
        orgId: caller.orgId,
        actorKeyId: caller.keyId,
        action: "auto_enrichment.conflict_resolved",
        targetType: "entity",
        targetId: conflict.entityId,
        data: { conflictId: conflict.id, action: resolution.action, field: conflict.field, before: current ?? null, after: writes ? value : (current ?? null), note: resolution.note ?? null, ...(bulk ? { bulk: true } : {}) },
      },
      resolved,
    ),
    rawStatement(db, "SELECT * FROM auto_enrichment_conflicts WHERE id = ?", conflict.id),
  );
  const answers = await runStatements(db, statements);
  const [after] = (answers[answers.length - 1]?.results ?? []) as Record<string, unknown>[];
  const row = after ? decodeRow(autoEnrichmentConflicts, after) : conflict;
  if ((answers[0]?.results ?? []).length === 0) {
    // Lost a race: resolved meanwhile (the same resolution is still a 200), or the attribute changed.
    if (row.status !== "open") return alreadyResolved(row, resolution, entity);
    const fresh = await readEntity(db, caller.orgId, conflict.entityId);
    throw valueChanged(fresh ? attributeValue(fresh.attributes, conflict.field) : undefined);
  }
  await publish(env, [
    derivedEvent(`evt_conflict_${conflict.id}_resolved`, "auto_enrichment.conflict_resolved", caller.orgId, {
      conflictId: conflict.id,
      entityId: conflict.entityId,
      entityType: conflict.entityType,
      field: conflict.field,
      action: resolution.action,
      before: current ?? null,
      after: writes ? value : (current ?? null),
      resolvedByKeyId: caller.keyId,
    }),
  ]);
  const updated = writes && entity ? { externalId: entity.externalId, attributes: attributesAfter(entity.attributes, [{ name: conflict.field, value }]) } : entity;
  return { conflict: presentConflict(row, updated), applied: applied(row) };
}

/** Many conflicts, each resolved on its own (a failure does not stop the others): which succeeded, and why each other failed. */
export async function resolveMany(env: Env, db: Db, caller: Caller, ids: string[], resolution: Resolution) {
  const succeeded: string[] = [];
  const failed: { id: string; error: { code: string; message: string; details?: unknown } }[] = [];
  for (const id of [...new Set(ids)]) {
    try {
      await resolveConflict(env, db, caller, id, resolution, true);
      succeeded.push(id);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      failed.push({ id, error: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) } });
    }
  }
  return { succeeded, failed };
}
