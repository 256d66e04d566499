import type { FeatureManifest } from "../../platform/worker/feature";

/**
 * The event names webhooks may subscribe to: what every feature declares in its manifest's `webhookEvents`, in
 * feature order. Webhooks owns the subscriptions, not the names, so a feature above it adds events without editing it.
 */
export function webhookEventTypes(features: readonly FeatureManifest[]): [string, ...string[]] {
  const [first, ...rest] = [...new Set(features.flatMap((f) => f.webhookEvents ?? []))];
  if (first === undefined) throw new Error("No feature declares a webhook event");
  return [first, ...rest];
}
