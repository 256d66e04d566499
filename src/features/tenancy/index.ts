import type { FeatureManifest } from "../../platform/worker/feature";
import { apiKeyRoutes } from "./api-keys.routes";
import { auditLogRoutes } from "./audit-log.routes";
import { sweepRateLimitWindows } from "./rate-limit-sweep";

export { auditInsert, auditPrepared, auditStatement, auditStatementIf } from "./audit";
export type { AuditEntry } from "./audit";
export { AuthPrefetcher, authorize, requireAdminToken } from "./authorize";
export { createOrganization, getOrganization, listOrganizations } from "./organizations";
export type { NewOrganization } from "./organizations";
export { CreatedApiKeySchema, OrganizationSchema, idParam } from "./schemas";

export const feature: FeatureManifest = {
  name: "tenancy",
  routers: [apiKeyRoutes, auditLogRoutes],
  cron: [sweepRateLimitWindows],
};
