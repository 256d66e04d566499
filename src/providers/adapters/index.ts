import type { Integration } from "../types";

/** Adapters for third-party provider APIs. */
export const providerAdapters: Integration[] = [];
