import type { Router } from "../openapi";
import { adminOrganizationRoutes } from "./admin-organizations";
import { adminSanctionsRoutes } from "./admin-sanctions";
import { apiKeyRoutes } from "./api-keys";
import { auditLogRoutes } from "./audit-log";
import { contactEnrichmentRoutes } from "./contact-enrichment";
import { creditRoutes } from "./credits";
import { customIntegrationRoutes } from "./custom-integrations";
import { enrichmentGroupRoutes } from "./enrichment-groups";
import { enrichmentRoutes } from "./enrichments";
import { entityRoutes } from "./entities";
import { healthRoutes } from "./health";
import { integrationRoutes } from "./integrations";
import { jobRoutes } from "./jobs";
import { screeningRoutes } from "./screening";
import { webhookDeliveryRoutes } from "./webhook-deliveries";
import { webhookRoutes } from "./webhooks";

/** Every resource's router; the app mounts them in this order. */
export const routers: Router[] = [
  healthRoutes,
  adminOrganizationRoutes,
  apiKeyRoutes,
  entityRoutes,
  auditLogRoutes,
  integrationRoutes,
  customIntegrationRoutes,
  enrichmentGroupRoutes,
  enrichmentRoutes,
  jobRoutes,
  contactEnrichmentRoutes,
  creditRoutes,
  webhookRoutes,
  webhookDeliveryRoutes,
  adminSanctionsRoutes,
  screeningRoutes,
];
