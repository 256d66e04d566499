import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** draft: stored, never evaluated; active: evaluated and acted on; shadow: evaluated and recorded, never acted on. */
export const RULE_STATUSES = ["draft", "active", "shadow", "archived"] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

/** The bus events a rule may listen to. */
export const RULE_EVENTS = [
  "enrichment.completed",
  "enrichment.failed",
  "entity.created",
  "entity.updated",
  "auto_enrichment.completed",
  "llm_enrichment.completed",
] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

export const RULE_OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notIn", "contains", "exists", "matches"] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ALERT_RESOLUTIONS = ["true_positive", "false_positive", "not_applicable"] as const;
export type AlertResolution = (typeof ALERT_RESOLUTIONS)[number];

export type Scalar = string | number | boolean;

/** One comparison of a fact (a dot path under entity, results or event) with a value. */
export interface RuleLeaf {
  fact: string;
  operator: RuleOperator;
  value?: Scalar | Scalar[];
  /** `any`: the fact is a list, and the comparison holds for at least one of its items. */
  quantifier?: "any";
}

export type RuleCondition = { all: RuleCondition[] } | { any: RuleCondition[] } | { not: RuleCondition } | RuleLeaf;

export type RuleAction =
  | { type: "create_alert"; severity: Severity; title: string }
  | { type: "set_risk" }
  | { type: "add_tag"; tag: string }
  | { type: "run_enrichment"; integrationCodes: string[] }
  | { type: "send_webhook" };

/** A rule as versioned: everything a version snapshot holds. */
export interface RuleDefinition {
  name: string;
  description: string | null;
  status: RuleStatus;
  priority: number;
  events: RuleEvent[];
  entityTypes: ("person" | "company")[];
  integrationCodes: string[] | null;
  conditions: RuleCondition;
  score: number;
  actions: RuleAction[];
}

/** The evaluation of one condition node: a leaf with the value it saw, a group with its children. */
export type TraceNode =
  | { all: TraceNode[]; result: boolean }
  | { any: TraceNode[]; result: boolean }
  | { not: TraceNode; result: boolean }
  | (RuleLeaf & { actual: unknown; result: boolean });

/** What became of one action of a matching rule. `pending` until the evaluation's follow-up work ran. */
export interface ActionOutcome {
  type: RuleAction["type"];
  status: "done" | "skipped" | "failed" | "pending";
  reason?: string;
  alertId?: string;
  tag?: string;
  score?: number;
  integrationCodes?: string[];
  enrichmentIds?: string[];
  eventId?: string;
}

export const rules = sqliteTable(
  "rules",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    status: text("status", { enum: RULE_STATUSES }).notNull(),
    priority: integer("priority").notNull(),
    events: text("events", { mode: "json" }).$type<RuleEvent[]>().notNull(),
    entityTypes: text("entity_types", { mode: "json" }).$type<("person" | "company")[]>().notNull(),
    integrationCodes: text("integration_codes", { mode: "json" }).$type<string[]>(),
    conditions: text("conditions", { mode: "json" }).$type<RuleCondition>().notNull(),
    score: integer("score").notNull(),
    actions: text("actions", { mode: "json" }).$type<RuleAction[]>().notNull(),
    /** Bumped by every change; each value has its snapshot in rule_versions. */
    version: integer("version").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    createdByKeyId: text("created_by_key_id"),
    updatedByKeyId: text("updated_by_key_id"),
  },
  (t) => [index("rules_org_created_idx").on(t.orgId, t.createdAt, t.id), index("rules_org_status_idx").on(t.orgId, t.status)],
);

/** Immutable snapshots: evaluations and alerts name the version they ran. */
export const ruleVersions = sqliteTable(
  "rule_versions",
  {
    ruleId: text("rule_id").notNull(),
    version: integer("version").notNull(),
    orgId: text("org_id").notNull(),
    definition: text("definition", { mode: "json" }).$type<RuleDefinition>().notNull(),
    createdAt: text("created_at").notNull(),
    createdByKeyId: text("created_by_key_id"),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.version] })],
);

/**
 * The events rules are evaluated on, kept from the moment the bus delivers them until a consumer has evaluated
 * them (`processedAt`); the cron re-queues any left unprocessed. Manual evaluations are stored the same way.
 */
export const ruleEvents = sqliteTable(
  "rule_events",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    type: text("type").notNull(),
    entityId: text("entity_id").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** How many rule-run enrichments led to this event (0 for a customer's own action). */
    depth: integer("depth").notNull(),
    occurredAt: text("occurred_at").notNull(),
    receivedAt: text("received_at").notNull(),
    processedAt: text("processed_at"),
  },
  (t) => [index("rule_events_unprocessed_idx").on(t.processedAt, t.receivedAt), index("rule_events_org_idx").on(t.orgId, t.receivedAt)],
);

/** One per (rule, event), however often the event or its message is delivered. */
export const ruleEvaluations = sqliteTable(
  "rule_evaluations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    ruleId: text("rule_id").notNull(),
    ruleVersion: integer("rule_version").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    entityId: text("entity_id").notNull(),
    matched: integer("matched", { mode: "boolean" }).notNull(),
    shadow: integer("shadow", { mode: "boolean" }).notNull(),
    trace: text("trace", { mode: "json" }).$type<TraceNode>().notNull(),
    actions: text("actions", { mode: "json" }).$type<ActionOutcome[]>().notNull(),
    /** Work left after the batch (publishing webhooks, running enrichments); cleared once it is done. */
    effectsPending: integer("effects_pending", { mode: "boolean" }).notNull(),
    enrichmentIds: text("enrichment_ids", { mode: "json" }).$type<string[]>().notNull(),
    depth: integer("depth").notNull(),
    evaluatedAt: text("evaluated_at").notNull(),
  },
  (t) => [
    uniqueIndex("rule_evaluations_rule_event_idx").on(t.ruleId, t.eventId),
    index("rule_evaluations_org_idx").on(t.orgId, t.evaluatedAt, t.id),
    index("rule_evaluations_entity_idx").on(t.orgId, t.entityId, t.evaluatedAt),
  ],
);

/** At most one per (rule, event). */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    ruleId: text("rule_id").notNull(),
    ruleVersion: integer("rule_version").notNull(),
    ruleName: text("rule_name").notNull(),
    evaluationId: text("evaluation_id").notNull(),
    entityId: text("entity_id").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    enrichmentIds: text("enrichment_ids", { mode: "json" }).$type<string[]>().notNull(),
    severity: text("severity", { enum: SEVERITIES }).notNull(),
    title: text("title").notNull(),
    status: text("status", { enum: ALERT_STATUSES }).notNull(),
    trace: text("trace", { mode: "json" }).$type<TraceNode>().notNull(),
    score: integer("score").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    acknowledgedAt: text("acknowledged_at"),
    acknowledgedByKeyId: text("acknowledged_by_key_id"),
    resolvedAt: text("resolved_at"),
    resolvedByKeyId: text("resolved_by_key_id"),
    resolution: text("resolution", { enum: ALERT_RESOLUTIONS }),
    note: text("note"),
    /** Random per status change: statements batched with a change act only if that very change happened. */
    transitionId: text("transition_id"),
  },
  (t) => [
    uniqueIndex("alerts_rule_event_idx").on(t.ruleId, t.eventId),
    index("alerts_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("alerts_org_entity_idx").on(t.orgId, t.entityId),
  ],
);

/** A matching rule's `set_risk` contribution to an entity: one per (entity, rule), the latest match's. */
export const entityRiskReasons = sqliteTable(
  "entity_risk_reasons",
  {
    orgId: text("org_id").notNull(),
    entityId: text("entity_id").notNull(),
    ruleId: text("rule_id").notNull(),
    ruleVersion: integer("rule_version").notNull(),
    score: integer("score").notNull(),
    evaluationId: text("evaluation_id").notNull(),
    eventId: text("event_id").notNull(),
    at: text("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityId, t.ruleId] }), index("entity_risk_reasons_org_idx").on(t.orgId, t.entityId)],
);

/** An organization's risk thresholds; without a row, the defaults (medium 30, high 60, critical 85). */
export const riskLevels = sqliteTable("risk_levels", {
  orgId: text("org_id").primaryKey(),
  medium: integer("medium").notNull(),
  high: integer("high").notNull(),
  critical: integer("critical").notNull(),
  updatedAt: text("updated_at").notNull(),
  updatedByKeyId: text("updated_by_key_id"),
});
