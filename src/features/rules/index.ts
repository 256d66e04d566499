import type { FeatureManifest } from "../../platform/worker/feature";
import { alertRoutes } from "./alerts.routes";
import { consumeRuleEvaluations } from "./evaluation.queue";
import { evaluationRoutes } from "./evaluations.routes";
import { RULE_WEBHOOK_EVENTS } from "./events";
import { ruleRoutes } from "./rules.routes";
import { ruleEventSubscriber } from "./subscriber";
import { sweepRuleEvents } from "./sweep";

export const feature: FeatureManifest = {
  name: "rules",
  // Order matters: /v1/rules/evaluations and /v1/rules/risk-levels before /v1/rules/{id}.
  routers: [evaluationRoutes, ruleRoutes, alertRoutes],
  queues: { "rule-evaluations": consumeRuleEvaluations },
  subscribers: [ruleEventSubscriber],
  cron: [sweepRuleEvents],
  webhookEvents: RULE_WEBHOOK_EVENTS,
};
