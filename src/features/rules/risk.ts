import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { entityRiskReasons, riskLevels, rules } from "../../db/schema/rules";
import type { Caller } from "../../platform/http/context";
import type { SqlFragment } from "../../platform/db/sql-fragment";
import { rawStatement } from "../../platform/db/statements";
import { nowIso } from "../../platform/lib/time";
import { getEntity } from "../entities";
import { auditStatement } from "../tenancy";
import { DEFAULT_THRESHOLDS, type RiskThresholds, riskOf } from "./risk-level";

export type RiskReasonRow = typeof entityRiskReasons.$inferSelect;

export const reasonsQuery = (db: Db, orgId: string, entityId: string) =>
  db
    .select({ reason: entityRiskReasons, ruleName: rules.name })
    .from(entityRiskReasons)
    .leftJoin(rules, eq(rules.id, entityRiskReasons.ruleId))
    .where(and(eq(entityRiskReasons.orgId, orgId), eq(entityRiskReasons.entityId, entityId)))
    .orderBy(desc(entityRiskReasons.at));

export const thresholdsQuery = (db: Db, orgId: string) => db.select().from(riskLevels).where(eq(riskLevels.orgId, orgId)).limit(1);

export const thresholdsOf = (rows: (typeof riskLevels.$inferSelect)[]): RiskThresholds => {
  const [row] = rows;
  return row ? { medium: row.medium, high: row.high, critical: row.critical } : DEFAULT_THRESHOLDS;
};

export async function getThresholds(db: Db, orgId: string): Promise<RiskThresholds> {
  return thresholdsOf(await thresholdsQuery(db, orgId));
}

export async function putThresholds(db: Db, caller: Caller, t: RiskThresholds): Promise<RiskThresholds> {
  const row = { orgId: caller.orgId, ...t, updatedAt: nowIso(), updatedByKeyId: caller.keyId };
  await db.batch([
    db.insert(riskLevels).values(row).onConflictDoUpdate({ target: riskLevels.orgId, set: { ...t, updatedAt: row.updatedAt, updatedByKeyId: caller.keyId } }),
    auditStatement(db, { orgId: caller.orgId, actorKeyId: caller.keyId, action: "rules.risk_levels_updated", targetType: "organization", targetId: caller.orgId, data: { ...t } }),
  ]);
  return t;
}

/** `GET /v1/entities/{id}/risk`: the score from the reasons, its level by the organization's thresholds, and the tags. */
export async function entityRisk(db: Db, orgId: string, entityId: string) {
  const entity = await getEntity(db, orgId, entityId);
  const [reasons, thresholds] = await db.batch([reasonsQuery(db, orgId, entityId), thresholdsQuery(db, orgId)]);
  const risk = riskOf(
    reasons.map((r) => r.reason.score),
    thresholdsOf(thresholds),
  );
  return {
    entityId,
    ...risk,
    reasons: reasons.map(({ reason, ruleName }) => ({
      ruleId: reason.ruleId,
      ruleName,
      version: reason.ruleVersion,
      score: reason.score,
      at: reason.at,
      evaluationId: reason.evaluationId,
      eventId: reason.eventId,
    })),
    tags: entity.tags,
  };
}

export interface RiskReason {
  orgId: string;
  entityId: string;
  ruleId: string;
  ruleVersion: number;
  score: number;
  evaluationId: string;
  eventId: string;
  at: string;
}

/**
 * A rule's contribution to an entity's risk, for the evaluation's batch: one row per (entity, rule), so a rule that
 * matches again replaces its contribution and never adds it twice. Lands only when `onlyIf` holds.
 */
export function reasonStatement(db: Db, r: RiskReason, onlyIf: SqlFragment): D1PreparedStatement {
  return rawStatement(
    db,
    `INSERT INTO entity_risk_reasons (org_id, entity_id, rule_id, rule_version, score, evaluation_id, event_id, at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${onlyIf.sql}
     ON CONFLICT (entity_id, rule_id) DO UPDATE SET rule_version = excluded.rule_version, score = excluded.score,
       evaluation_id = excluded.evaluation_id, event_id = excluded.event_id, at = excluded.at`,
    r.orgId,
    r.entityId,
    r.ruleId,
    r.ruleVersion,
    r.score,
    r.evaluationId,
    r.eventId,
    r.at,
    ...onlyIf.params,
  );
}

/**
 * A false positive takes the contribution its evaluation made off the entity's risk (in the resolution's batch); a
 * later match of the same rule has replaced it and stays.
 */
export function reasonRemoval(db: Db, orgId: string, entityId: string, evaluationId: string, onlyIf: SqlFragment): D1PreparedStatement {
  return rawStatement(
    db,
    `DELETE FROM entity_risk_reasons WHERE org_id = ? AND entity_id = ? AND evaluation_id = ? AND (${onlyIf.sql})`,
    orgId,
    entityId,
    evaluationId,
    ...onlyIf.params,
  );
}
