import type { ContactField } from "../../db/schema/contact-enrichment";
import { type Env, readSettings } from "../../platform/env";

export const CONTACT_FIELDS = ["emails", "phones"] as const satisfies readonly ContactField[];

/** Credits charged once per finished contact enrichment; searches that find nothing or fail are free. */
export const CONTACT_CREDIT_PRICES: Record<ContactField, number> = { emails: 2, phones: 3 };

/** A pending record older than this reads (and is stored) as `timeout`. */
export const DEFAULT_CONTACT_MAX_AGE_SECONDS = 800;

/**
 * Integrations tried in order, the first that finds something new wins. Codes absent from the catalog, not
 * enabled for the organization, or whose inputs the person lacks are left out. An organization replaces the list
 * with an enrichment group whose slug is `contact-emails` or `contact-phones` (its codes, in its order). There is
 * no `phone_normalize` here: it only restates the number the person already has, which is never a discovery.
 */
export const DEFAULT_CONTACT_INTEGRATIONS: Record<ContactField, string[]> = {
  emails: ["email_discover", "hunter_email_finder", "pdl_person_enrich"],
  phones: ["pdl_person_enrich", "hunter_email_finder"],
};

export const contactGroupSlug = (field: ContactField) => `contact-${field}`;

export function contactMaxAgeMs(env: Env): number {
  return readSettings(env).CONTACT_ENRICHMENT_MAX_AGE_SECONDS * 1000;
}
