import type { FeatureManifest } from "../../platform/worker/feature";
import { CONTACT_ENRICHMENT_EVENTS } from "./events";
import { contactEnrichmentRoutes } from "./routes";
import { runContactEnrichments } from "./task.queue";
import { sweepStaleContactEnrichments } from "./timeouts";

export { currentContactEnrichment, startContactEnrichment } from "./contact-enrichment";
export type { ContactDeps, StartOptions } from "./contact-enrichment";
export { publishSettled } from "./events";
export { foundNothing } from "./records";
export type { ContactRow } from "./records";
export { CONTACT_FIELDS } from "./settings";

export const feature: FeatureManifest = {
  name: "contact-enrichment",
  routers: [contactEnrichmentRoutes],
  providerCalls: { contact_enrichment: runContactEnrichments },
  cron: [sweepStaleContactEnrichments],
  webhookEvents: CONTACT_ENRICHMENT_EVENTS,
};
