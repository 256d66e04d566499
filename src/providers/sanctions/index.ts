import type { Integration } from "../types";

export const sanctionsIntegrations: Integration[] = [];
