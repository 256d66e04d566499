import type { FeatureManifest } from "../../platform/worker/feature";
import { webhookDeliveryRoutes } from "./deliveries.routes";
import { consumeWebhookDeliveries } from "./delivery.queue";
import { consumeWebhookDeadLetters } from "./dlq.queue";
import { webhookEventTypes } from "./event-types";
import { webhookRoutes } from "./routes";
import { fanOutSubscriber } from "./subscriber";
import { sweepOrphanedDeliveries } from "./sweep";

export { webhookTargetOf, webhookTargetsQuery } from "./fanout";
export type { WebhookTarget } from "./fanout";

export const feature: FeatureManifest = {
  name: "webhooks",
  routers: (features) => [webhookRoutes(webhookEventTypes(features)), webhookDeliveryRoutes],
  queues: { "webhook-deliveries": consumeWebhookDeliveries, "webhook-deliveries-dlq": consumeWebhookDeadLetters },
  subscribers: [fanOutSubscriber],
  cron: [sweepOrphanedDeliveries],
};
