import type { DomainEvent } from "../../platform/events";

declare module "../../platform/events" {
  interface DomainEventMap {
    "rule.matched": Record<string, unknown>;
    "alert.created": Record<string, unknown>;
    "alert.updated": Record<string, unknown>;
  }
}

/** What rules publish, for webhooks (the manifest's `webhookEvents`). */
export const RULE_WEBHOOK_EVENTS = ["rule.matched", "alert.created", "alert.updated"] as const;

/** The most rule-run enrichments in a row: an event this deep runs no further enrichment. */
export const MAX_RULE_DEPTH = 3;

/**
 * What an enrichment a rule ran carries in its event's `data.trigger`: the rule, its evaluation, how many rule-run
 * enrichments led here and which rules ran them. Rules read it back to stop loops.
 */
export interface RuleTrigger {
  kind: "rule";
  ruleId: string;
  evaluationId: string;
  depth: number;
  ruleIds: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The trigger an event's data names, or depth 0 and no rules for a customer's own action. */
export function triggerOf(data: Record<string, unknown>): { depth: number; ruleIds: string[] } {
  const t = data.trigger;
  if (!isRecord(t) || t.kind !== "rule") return { depth: 0, ruleIds: [] };
  const depth = typeof t.depth === "number" && Number.isInteger(t.depth) && t.depth > 0 ? t.depth : 0;
  const ruleIds = Array.isArray(t.ruleIds) ? t.ruleIds.filter((id): id is string => typeof id === "string") : [];
  return { depth, ruleIds };
}

/** An event this feature publishes, its id derived from what it is about, so publishing it again delivers nothing new. */
export function derivedEvent(type: "rule.matched" | "alert.created" | "alert.updated", id: string, orgId: string, data: Record<string, unknown>, at: string): DomainEvent {
  return { id, type, orgId, occurredAt: at, data };
}
