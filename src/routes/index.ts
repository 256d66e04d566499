import type { Router } from "../openapi";
import { adminOrganizationRoutes } from "./admin-organizations";
import { apiKeyRoutes } from "./api-keys";
import { auditLogRoutes } from "./audit-log";
import { entityRoutes } from "./entities";
import { healthRoutes } from "./health";

/** Every resource's router; the app mounts them in this order. */
export const routers: Router[] = [healthRoutes, adminOrganizationRoutes, apiKeyRoutes, entityRoutes, auditLogRoutes];
