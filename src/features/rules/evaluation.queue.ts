import { createDb } from "../../platform/db/client";
import type { Env } from "../../platform/env";
import { runEffects } from "./effects";
import { evaluateEvent, loadStoredEvent } from "./evaluate-event";
import { ruleEvaluationMessage } from "./subscriber";

const RETRY_DELAY_SECONDS = 10;

/**
 * One `rule-evaluations` message: evaluate the stored event, then do what its evaluations left pending. Safe to run
 * again for the same event (redelivery, or the cron re-queueing it): evaluation records, alerts, risk and tags are
 * written once per (rule, event), and the follow-up work of an evaluation is marked done only after it ran.
 */
export async function handleRuleEvaluation(body: unknown, env: Env): Promise<void> {
  const parsed = ruleEvaluationMessage.safeParse(body);
  if (!parsed.success) {
    console.error(JSON.stringify({ level: "error", message: "malformed rule-evaluations message", issues: parsed.error.issues.length }));
    return;
  }
  const db = createDb(env.DB);
  const event = await loadStoredEvent(db, parsed.data.orgId, parsed.data.eventId);
  if (!event) {
    console.error(JSON.stringify({ level: "error", message: "rule-evaluations message names no stored event", eventId: parsed.data.eventId }));
    return;
  }
  const { evaluations, rules } = await evaluateEvent(db, event, { manual: event.type === "manual" });
  await runEffects(
    env,
    db,
    event,
    evaluations.filter((e) => e.effectsPending),
    rules,
  );
}

/** The queue's consumer: each message acked when evaluated, retried on an infrastructure failure. */
export async function consumeRuleEvaluations(batch: MessageBatch, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      await handleRuleEvaluation(message.body, env);
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ level: "error", message: "rule evaluation failed", error: String(error) }));
      message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
    }
  }
}
