import type { FeatureManifest } from "../../platform/worker/feature";
import { adminSanctionsRoutes } from "./admin.routes";
import { screeningRoutes } from "./routes";
import type { Integration } from "../../providers/types";
import { sanctionsScreen } from "./integration";

export const sanctionsIntegrations: Integration[] = [sanctionsScreen];

export const feature: FeatureManifest = {
  name: "screening",
  routers: [adminSanctionsRoutes, screeningRoutes],
};
