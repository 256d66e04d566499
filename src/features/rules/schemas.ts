import { z } from "@hono/zod-openapi";
import {
  ALERT_RESOLUTIONS,
  ALERT_STATUSES,
  RULE_EVENTS,
  RULE_OPERATORS,
  RULE_STATUSES,
  type RuleAction,
  type RuleCondition,
  type RuleDefinition,
  SEVERITIES,
} from "../../db/schema/rules";
import { ENTITY_TYPES } from "../../domain/attributes";
import { freeFormObject } from "../../platform/lib/json-limits";
import { TagSchema } from "../entities";
import { parseFact } from "./fact-paths";
import { valueProblem } from "./operators";

/**
 * Dossier's public rule format. json-rules-engine runs it (evaluate.ts), but the contract is this schema: a bad rule
 * is a 400 naming each failing field by its path (`conditions.all.0.operator`).
 */

export const MAX_CONDITION_DEPTH = 6;
export const MAX_CONDITION_LEAVES = 50;

const Scalar = z.union([z.string().max(500), z.number(), z.boolean()]);
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
const IntegrationCode = z.string().regex(CODE, "An integration code (lower-case letters, digits and _)");

const FORMS = ["all", "any", "not", "fact"] as const;
const LEAF_KEYS = ["operator", "value", "quantifier"] as const;

type ConditionNode = {
  all?: ConditionNode[];
  any?: ConditionNode[];
  not?: ConditionNode;
  fact?: string;
  operator?: (typeof RULE_OPERATORS)[number];
  value?: string | number | boolean | (string | number | boolean)[];
  quantifier?: "any";
};

/** One node: exactly one of `all`, `any`, `not`, or a comparison `{fact, operator, value?, quantifier?}`. */
function checkNode(node: ConditionNode, ctx: z.RefinementCtx) {
  const forms = FORMS.filter((f) => node[f] !== undefined);
  if (forms.length === 0) {
    ctx.addIssue({ code: "custom", message: "A condition is {all: [...]}, {any: [...]}, {not: {...}} or a comparison {fact, operator, value}", path: [] });
    return;
  }
  for (const extra of forms.slice(1)) ctx.addIssue({ code: "custom", message: `'${extra}' cannot stand beside '${forms[0]}' in one condition`, path: [extra] });
  if (forms[0] !== "fact") {
    for (const key of LEAF_KEYS) if (node[key] !== undefined) ctx.addIssue({ code: "custom", message: `'${key}' belongs to a comparison`, path: [key] });
    return;
  }
  const parsed = parseFact(node.fact ?? "");
  if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error, path: ["fact"] });
  if (!node.operator) {
    ctx.addIssue({ code: "custom", message: `A comparison needs an operator: ${RULE_OPERATORS.join(", ")}`, path: ["operator"] });
    return;
  }
  const problem = valueProblem(node.operator, node.value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["value"] });
}

export const ConditionSchema: z.ZodType<ConditionNode> = z
  .lazy(() =>
    z
      .strictObject({
        all: z.array(ConditionSchema).min(1).max(MAX_CONDITION_LEAVES).optional(),
        any: z.array(ConditionSchema).min(1).max(MAX_CONDITION_LEAVES).optional(),
        not: ConditionSchema.optional(),
        fact: z.string().optional().openapi({ example: "results.sanctions_screen.enrichmentData.topScore" }),
        operator: z.enum(RULE_OPERATORS).optional(),
        value: z.union([Scalar, z.array(Scalar).max(500)]).optional(),
        quantifier: z.literal("any").optional().openapi({ description: "The fact is a list (use `[]` in its path); true when the comparison holds for at least one item" }),
      })
      .superRefine(checkNode),
  )
  .openapi("RuleCondition", {
    example: { all: [{ fact: "results.sanctions_screen.enrichmentData.topScore", operator: "gte", value: 0.9 }] },
    description:
      "A tree of {all: [...]}, {any: [...]} and {not: {...}} over comparisons {fact, operator, value, quantifier?}. Facts are dot paths: entity.attributes.*, entity.enriched.<field>.value, entity.tags, entity.risk.score, results.<integrationCode>.enrichmentData.*, event.type, event.data.*; `[]` after a segment maps over a list.",
  });

function depthAndLeaves(node: ConditionNode): { depth: number; leaves: number } {
  const children = [...(node.all ?? []), ...(node.any ?? []), ...(node.not ? [node.not] : [])];
  if (children.length === 0) return { depth: 1, leaves: 1 };
  const inner = children.map(depthAndLeaves);
  return { depth: 1 + Math.max(...inner.map((i) => i.depth)), leaves: inner.reduce((s, i) => s + i.leaves, 0) };
}

export const ActionSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("create_alert"), severity: z.enum(SEVERITIES), title: z.string().trim().min(1).max(200) }),
    z.strictObject({ type: z.literal("set_risk") }).openapi({ description: "Adds the rule's score to the entity's risk" }),
    z.strictObject({ type: z.literal("add_tag"), tag: TagSchema }),
    z
      .strictObject({ type: z.literal("run_enrichment"), integrationCodes: z.array(IntegrationCode).min(1).max(10) })
      .openapi({ description: "Runs these integrations on the entity; an enrichment a rule started cannot make that rule run one again" }),
    z.strictObject({ type: z.literal("send_webhook") }).openapi({ description: "Publishes rule.matched to the endpoints subscribed to it" }),
  ])
  .openapi("RuleAction");

const ONE_EACH: RuleAction["type"][] = ["create_alert", "set_risk", "run_enrichment", "send_webhook"];

const NonEnrichmentEvents = new Set(["entity.created", "entity.updated"]);

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).nullable(),
  status: z.enum(RULE_STATUSES),
  priority: z.number().int().min(1).max(100).openapi({ description: "1-100; higher runs first" }),
  events: z.array(z.enum(RULE_EVENTS)).min(1).max(RULE_EVENTS.length),
  entityTypes: z.array(z.enum(ENTITY_TYPES)).min(1).max(ENTITY_TYPES.length),
  integrationCodes: z
    .array(IntegrationCode)
    .min(1)
    .max(50)
    .nullable()
    .openapi({ description: "Only events whose results include one of these integrations (enrichment events)" }),
  conditions: ConditionSchema,
  score: z.number().int().min(0).max(100).openapi({ description: "What `set_risk` adds to the entity's risk (0-100)" }),
  actions: z.array(ActionSchema).max(10),
};

type RuleShape = { [K in keyof typeof fields]?: z.infer<(typeof fields)[K]> };

/** Checks across fields, on the rule as it will be stored (after a PATCH is applied too). */
export function checkRule(rule: RuleShape, ctx: z.RefinementCtx) {
  if (rule.conditions) {
    const { depth, leaves } = depthAndLeaves(rule.conditions);
    if (depth > MAX_CONDITION_DEPTH) ctx.addIssue({ code: "custom", message: `Conditions nest at most ${MAX_CONDITION_DEPTH} levels`, path: ["conditions"] });
    if (leaves > MAX_CONDITION_LEAVES) ctx.addIssue({ code: "custom", message: `At most ${MAX_CONDITION_LEAVES} comparisons`, path: ["conditions"] });
  }
  for (const type of ONE_EACH) {
    const at = (rule.actions ?? []).flatMap((a, i) => (a.type === type ? [i] : []));
    for (const i of at.slice(1)) ctx.addIssue({ code: "custom", message: `At most one ${type} action`, path: ["actions", i, "type"] });
  }
  for (const list of ["events", "entityTypes", "integrationCodes"] as const) {
    const values: string[] = rule[list] ?? [];
    values.forEach((v, i) => {
      if (values.indexOf(v) !== i) ctx.addIssue({ code: "custom", message: `'${v}' is listed twice`, path: [list, i] });
    });
  }
  if (rule.integrationCodes && rule.events?.every((e) => NonEnrichmentEvents.has(e))) {
    ctx.addIssue({ code: "custom", message: "integrationCodes narrow enrichment events, and this rule listens to none", path: ["integrationCodes"] });
  }
}

export const CreateRuleBody = z
  .strictObject({
    name: fields.name,
    description: fields.description.optional(),
    status: z.enum(["draft", "active", "shadow"]).optional().openapi({ description: "Default draft. shadow: evaluated and recorded, never acted on" }),
    priority: fields.priority.optional(),
    events: fields.events,
    entityTypes: fields.entityTypes.optional().openapi({ description: "Default both" }),
    integrationCodes: fields.integrationCodes.optional(),
    conditions: fields.conditions,
    score: fields.score.optional(),
    actions: fields.actions.optional(),
  })
  .superRefine(checkRule)
  .openapi("CreateRule", {
    example: {
      name: "Sanctions match >= 0.9",
      status: "active",
      events: ["enrichment.completed"],
      integrationCodes: ["sanctions_screen"],
      conditions: { all: [{ fact: "results.sanctions_screen.enrichmentData.topScore", operator: "gte", value: 0.9 }] },
      score: 70,
      actions: [{ type: "create_alert", severity: "high", title: "Possible sanctions match" }, { type: "set_risk" }, { type: "add_tag", tag: "sanctions-review" }],
    },
  });

export const PatchRuleBody = z
  .strictObject({
    name: fields.name.optional(),
    description: fields.description.optional(),
    status: fields.status.optional(),
    priority: fields.priority.optional(),
    events: fields.events.optional(),
    entityTypes: fields.entityTypes.optional(),
    integrationCodes: fields.integrationCodes.optional(),
    conditions: fields.conditions.optional(),
    score: fields.score.optional(),
    actions: fields.actions.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "Nothing to update")
  .openapi("PatchRule", { example: { status: "shadow", score: 60 } });

/** The whole rule after a PATCH, checked again as one (the patch alone cannot see the fields it leaves). */
export const StoredRuleSchema = z.strictObject(fields).superRefine(checkRule);

export type CreateRuleInput = z.infer<typeof CreateRuleBody>;
export type PatchRuleInput = z.infer<typeof PatchRuleBody>;

/** The parsed schema's conditions, typed as stored; `checkNode` has made sure each node is one form. */
export const asCondition = (node: ConditionNode) => node as RuleCondition;

/**
 * The same schema in answers, typed as a plain object: Hono's JSON typing cannot follow a recursive type, so the
 * documented `RuleCondition` is kept and only the TypeScript type of the answer is loosened.
 */
const ConditionAnswer = ConditionSchema as unknown as z.ZodType<Record<string, unknown>>;

const definitionShape = {
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(RULE_STATUSES),
  priority: z.number().int(),
  events: z.array(z.enum(RULE_EVENTS)),
  entityTypes: z.array(z.enum(ENTITY_TYPES)),
  integrationCodes: z.array(z.string()).nullable(),
  conditions: ConditionAnswer,
  score: z.number().int(),
  actions: z.array(ActionSchema),
};

export const RuleSchema = z
  .object({
    id: z.uuid(),
    ...definitionShape,
    version: z.number().int().openapi({ description: "Bumped by every change; evaluations and alerts name the version they ran" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdByKeyId: z.string().nullable(),
    updatedByKeyId: z.string().nullable(),
  })
  .openapi("Rule");

export const RuleVersionSchema = z
  .object({ ruleId: z.uuid(), version: z.number().int(), definition: z.object(definitionShape), createdAt: z.string(), createdByKeyId: z.string().nullable() })
  .openapi("RuleVersion");

export const TraceSchema = z
  .record(z.string(), z.unknown())
  .openapi("RuleTrace", {
    description: "The conditions as evaluated: every node with its `result`, every comparison with the `actual` value it saw (long values cut)",
    example: { all: [{ fact: "results.sanctions_screen.enrichmentData.topScore", operator: "gte", value: 0.9, actual: 1, result: true }], result: true },
  });

export const ActionOutcomeSchema = z
  .object({
    type: z.string(),
    status: z.enum(["done", "skipped", "failed", "pending"]),
    reason: z.string().optional(),
    alertId: z.string().optional(),
    tag: z.string().optional(),
    score: z.number().optional(),
    integrationCodes: z.array(z.string()).optional(),
    enrichmentIds: z.array(z.string()).optional(),
    eventId: z.string().optional(),
  })
  .openapi("RuleActionOutcome");

export const EvaluationSchema = z
  .object({
    id: z.string(),
    ruleId: z.uuid(),
    ruleVersion: z.number().int(),
    eventId: z.string(),
    eventType: z.string(),
    entityId: z.string(),
    matched: z.boolean(),
    shadow: z.boolean().openapi({ description: "Evaluated by a shadow rule: recorded, nothing done" }),
    trace: TraceSchema,
    actions: z.array(ActionOutcomeSchema),
    enrichmentIds: z.array(z.string()).openapi({ description: "The enrichment records of the triggering event" }),
    depth: z.number().int().openapi({ description: "How many rule-run enrichments led to the event (0: a customer's own action)" }),
    evaluatedAt: z.string(),
  })
  .openapi("RuleEvaluation");

export const AlertSchema = z
  .object({
    id: z.uuid(),
    ruleId: z.uuid(),
    ruleVersion: z.number().int(),
    ruleName: z.string(),
    evaluationId: z.string(),
    entityId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    enrichmentIds: z.array(z.string()),
    severity: z.enum(SEVERITIES),
    title: z.string(),
    status: z.enum(ALERT_STATUSES),
    score: z.number().int().openapi({ description: "The rule's score" }),
    trace: TraceSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedByKeyId: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolvedByKeyId: z.string().nullable(),
    resolution: z.enum(ALERT_RESOLUTIONS).nullable(),
    note: z.string().nullable(),
  })
  .openapi("Alert");

export const ResolveAlertBody = z.strictObject({ resolution: z.enum(ALERT_RESOLUTIONS), note: z.string().trim().max(2000).optional() }).openapi("ResolveAlert");

export const RiskLevelsSchema = z
  .object({
    medium: z.number().int().min(1).max(100),
    high: z.number().int().min(1).max(100),
    critical: z.number().int().min(1).max(100),
  })
  .openapi("RiskLevels");

export const RiskLevelsBody = z
  .strictObject(RiskLevelsSchema.shape)
  .refine((l) => l.medium < l.high && l.high < l.critical, { message: "Thresholds rise: medium < high < critical", path: ["high"] })
  .openapi("PutRiskLevels", { example: { medium: 30, high: 60, critical: 85 } });

export const RiskSchema = z
  .object({
    entityId: z.string(),
    score: z.number().int().openapi({ description: "The sum of the reasons' scores, at most 100" }),
    level: z.enum(["low", "medium", "high", "critical"]),
    reasons: z.array(
      z.object({ ruleId: z.uuid(), ruleName: z.string().nullable(), version: z.number().int(), score: z.number().int(), at: z.string(), evaluationId: z.string(), eventId: z.string() }),
    ),
    tags: z.array(z.string()),
  })
  .openapi("EntityRisk");

export const TestRuleBody = z
  .strictObject({
    entityId: z.string().min(1).max(100).optional().openapi({ description: "Evaluate against this entity and its latest enrichment results" }),
    facts: z
      .strictObject({ entity: freeFormObject().optional(), results: freeFormObject().optional(), event: freeFormObject().optional() })
      .optional()
      .openapi({ description: "Or against these facts: {entity, results, event}" }),
    version: z.number().int().min(1).optional().openapi({ description: "A stored version; default the current one" }),
  })
  .refine((b) => (b.entityId === undefined) !== (b.facts === undefined), { message: "Send entityId or facts (one of them)", path: ["entityId"] })
  .openapi("TestRule", { example: { facts: { entity: { attributes: { country: "IR" } }, results: { sanctions_screen: { enrichmentData: { topScore: 0.95 } } } } } });

export const TestResultSchema = z
  .object({
    ruleId: z.uuid(),
    version: z.number().int(),
    matched: z.boolean(),
    trace: TraceSchema,
    actions: z.array(ActionSchema).openapi({ description: "What the rule would do (nothing was done)" }),
    facts: z.record(z.string(), z.unknown()),
  })
  .openapi("RuleTestResult");

export const EntityEvaluationSchema = z
  .object({ eventId: z.string(), entityId: z.string(), evaluations: z.array(EvaluationSchema) })
  .openapi("EntityRuleEvaluation");

export type { RuleDefinition };
