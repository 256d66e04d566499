import type { FeatureManifest } from "../../platform/worker/feature";
import { adminOrganizationRoutes } from "./admin-organizations.routes";
import { creditRoutes } from "./routes";

export { canCover, chargeOnce, grantStatements, holdAmount, holdStatement, releaseStatement } from "./guarded";
export type { ChargeOnce } from "./guarded";
export { chargeStatements, creditSummary, releaseCredits, reserveCredits } from "./ledger";
export type { BillingMode } from "./ledger";

export const feature: FeatureManifest = {
  name: "billing",
  routers: [adminOrganizationRoutes, creditRoutes],
};
