import type { Router } from "./platform/http/openapi";
import { adminOrganizationRoutes } from "./features/tenancy/admin-organizations.routes";
import { adminSanctionsRoutes } from "./features/screening/admin.routes";
import { apiKeyRoutes } from "./features/tenancy/api-keys.routes";
import { auditLogRoutes } from "./features/tenancy/audit-log.routes";
import { contactEnrichmentRoutes } from "./features/contact-enrichment/routes";
import { creditRoutes } from "./features/billing/routes";
import { customIntegrationRoutes } from "./features/catalog/custom-integrations.routes";
import { enrichmentGroupRoutes } from "./features/catalog/groups.routes";
import { enrichmentRoutes } from "./features/enrichment/routes";
import { entityRoutes } from "./features/entities/routes";
import { healthRoutes } from "./platform/http/health";
import { integrationRoutes } from "./features/catalog/integrations.routes";
import { jobRoutes } from "./features/jobs/routes";
import { screeningRoutes } from "./features/screening/routes";
import { webhookDeliveryRoutes } from "./features/webhooks/deliveries.routes";
import { webhookRoutes } from "./features/webhooks/routes";

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
