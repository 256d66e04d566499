import type { FeatureManifest } from "../../platform/feature";
import { creditRoutes } from "./routes";

export { chargeStatements, creditSummary, releaseCredits, releaseStatement, reserveCredits } from "./ledger";
export type { BillingMode } from "./ledger";

export const feature: FeatureManifest = {
  name: "billing",
  routers: [creditRoutes],
};
