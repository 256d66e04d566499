import type { Db } from "../../platform/db/client";
import type { ContactField } from "../../db/schema/contact-enrichment";
import { catalogFor } from "../catalog";
import type { Integration } from "../../providers/types";
import { findGroup } from "../catalog";
import { type IntegrationSettingsRow, credentialNamesOf, hasCredentials, isEnabled, settingsByCode } from "../catalog";
import { DEFAULT_CONTACT_INTEGRATIONS, contactGroupSlug } from "./settings";

export interface ContactPlan {
  integrations: Integration[];
  settingsRows: Map<string, IntegrationSettingsRow>;
}

/**
 * The integrations a contact search tries, in order: the organization's `contact-<field>` enrichment group when
 * it has one, else the default order; either way only integrations that exist, enrich people, are enabled and
 * have their credentials.
 */
export async function planContactSearch(db: Db, orgId: string, field: ContactField): Promise<ContactPlan> {
  const [catalog, settingsRows, group] = await Promise.all([
    catalogFor(db, orgId),
    settingsByCode(db, orgId),
    findGroup(db, orgId, contactGroupSlug(field)),
  ]);
  const codes = group?.integrationCodes ?? DEFAULT_CONTACT_INTEGRATIONS[field];
  const integrations = codes
    .map((code) => catalog.get(code))
    .filter((i): i is Integration => {
      if (!i || !i.entityTypes.includes("person")) return false;
      const row = settingsRows.get(i.code);
      return isEnabled(i, row) && hasCredentials(i, row, credentialNamesOf(row));
    });
  return { integrations, settingsRows };
}
