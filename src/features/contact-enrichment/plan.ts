import type { Db } from "../../platform/db/client";
import type { ContactField } from "../../db/schema/contact-enrichment";
import { catalogFor } from "../catalog";
import type { Integration, IntegrationInput } from "../../providers/types";
import { findGroup } from "../catalog";
import { type IntegrationSettingsRow, credentialNamesOf, hasCredentials, isEnabled, settingsByCode } from "../catalog";
import { describeInputs, lackedInputs } from "../enrichment";
import { DEFAULT_CONTACT_INTEGRATIONS, contactGroupSlug } from "./settings";

/** Why one integration of the order cannot take part. */
export interface LeftOut {
  integrationCode: string;
  reason: "unknown_integration" | "not_for_people" | "not_enabled" | "needs_credentials" | "missing_inputs";
  message: string;
  /** missing_inputs: for each alternative of the integration's declared inputs, the attributes the person lacks. */
  missing?: string[][];
}

/** "this person lacks companyDomain" (what the nearest alternative misses), or "has none of these". */
function lackedText(inputs: string[][], lacked: string[][]): string {
  const nearest = lacked.reduce((best, set, i) => (set.length < (lacked[best]?.length ?? Number.POSITIVE_INFINITY) ? i : best), 0);
  const missing = lacked[nearest] ?? [];
  const whole = missing.length === (inputs[nearest]?.length ?? 0);
  return inputs.length > 1 && whole ? "this person has none of these" : `this person lacks ${missing.join(" + ")}`;
}

export interface ContactPlan {
  integrations: Integration[];
  settingsRows: Map<string, IntegrationSettingsRow>;
  /** The order's integrations that are left out, each with why. */
  leftOut: LeftOut[];
}

/**
 * The integrations a contact search tries, in order: the organization's `contact-<field>` enrichment group when
 * it has one, else the default order; either way only integrations that exist, enrich people, are enabled and
 * have their credentials. With the person's input, also only those whose declared `inputs` the person has.
 */
export async function planContactSearch(db: Db, orgId: string, field: ContactField, input?: Pick<IntegrationInput, "entityType" | "attributes">): Promise<ContactPlan> {
  const [catalog, settingsRows, group] = await Promise.all([
    catalogFor(db, orgId),
    settingsByCode(db, orgId),
    findGroup(db, orgId, contactGroupSlug(field)),
  ]);
  const codes = group?.integrationCodes ?? DEFAULT_CONTACT_INTEGRATIONS[field];
  const integrations: Integration[] = [];
  const leftOut: LeftOut[] = [];
  for (const code of codes) {
    const integration = catalog.get(code);
    const row = settingsRows.get(code);
    const out = (reason: LeftOut["reason"], message: string, missing?: string[][]) =>
      leftOut.push({ integrationCode: code, reason, message, ...(missing ? { missing } : {}) });
    if (!integration) out("unknown_integration", "No such integration");
    else if (!integration.entityTypes.includes("person")) out("not_for_people", "Does not enrich people");
    else if (!isEnabled(integration, row)) out("not_enabled", "Not enabled for this organization");
    else if (!hasCredentials(integration, row, credentialNamesOf(row))) out("needs_credentials", `Needs credentials: ${integration.credentialNames.join(", ")}`);
    else {
      const lacked = input ? lackedInputs(integration, input) : [];
      if (lacked && lacked.length > 0 && lacked.every((set) => set.length > 0)) {
        out("missing_inputs", `Needs ${describeInputs(integration)}; ${lackedText(integration.inputs, lacked)}`, lacked);
      } else integrations.push(integration);
    }
  }
  return { integrations, settingsRows, leftOut };
}
