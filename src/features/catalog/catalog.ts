import type { Db } from "../../platform/db/client";
import { providerAdapters } from "../../providers/adapters";
import { builtinIntegrations } from "../../providers/builtin";
import { customIntegrationsFor } from "../../providers/custom/load";
import { sanctionsIntegrations } from "../screening";
import { testIntegrations } from "../../providers/test-http";
import type { Integration } from "../../providers/types";

/** The built-in catalog, shared by every organization. */
export const integrations: Integration[] = [
  ...builtinIntegrations,
  ...sanctionsIntegrations,
  ...providerAdapters,
  ...testIntegrations,
];

const byCode = new Map(integrations.map((i) => [i.code, i]));
if (byCode.size !== integrations.length) throw new Error("Two integrations share a code");

export const builtinIntegration = (code: string) => byCode.get(code);

/** Built-ins plus an organization's custom integrations, already read. */
export function catalogWith(custom: Integration[]): Map<string, Integration> {
  if (custom.length === 0) return byCode;
  return new Map([...byCode, ...custom.map((i) => [i.code, i] as const)]);
}

/** Built-ins plus the organization's custom integrations. */
export async function catalogFor(db: Db, orgId: string): Promise<Map<string, Integration>> {
  return catalogWith(await customIntegrationsFor(db, orgId));
}
