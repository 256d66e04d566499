import type { FeatureManifest } from "../../platform/worker/feature";
import { customIntegrationRoutes } from "./custom-integrations.routes";
import { enrichmentGroupRoutes } from "./groups.routes";
import { integrationRoutes } from "./integrations.routes";

export { builtinIntegration, catalogFor, catalogWith } from "./catalog";
export { findGroup } from "./groups";
export { credentialNamesOf, hasCredentials, isEnabled, publicConfig, readCredentials, settingsByCode, settingsMapOf, settingsRows } from "./settings";
export type { IntegrationSettingsRow } from "./settings";

export const feature: FeatureManifest = {
  name: "catalog",
  // Order matters: `/v1/integrations/{code}` is declared before `/v1/integrations/custom`, as it always was.
  routers: [integrationRoutes, customIntegrationRoutes, enrichmentGroupRoutes],
};
