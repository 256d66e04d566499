import type { Integration } from "../types";

/** Integrations that need no provider account. */
export const builtinIntegrations: Integration[] = [];
