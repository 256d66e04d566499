import { z } from "zod";
import type { ContactField } from "../db/schema/contact-enrichments";
import type { Env } from "../env";

export const CONTACT_FIELDS = ["emails", "phones"] as const satisfies readonly ContactField[];

/** Credits charged once per finished contact enrichment; searches that find nothing or fail are free. */
export const CONTACT_CREDIT_PRICES: Record<ContactField, number> = { emails: 2, phones: 3 };

/** A pending record older than this reads (and is stored) as `timeout`. */
export const DEFAULT_CONTACT_MAX_AGE_SECONDS = 800;

/**
 * Integrations tried in order, the first that finds something wins. Codes absent from the catalog or not
 * enabled for the organization are left out. An organization replaces the list with an enrichment group
 * whose slug is `contact-emails` or `contact-phones` (its codes, in its order, are used as they are).
 */
export const DEFAULT_CONTACT_INTEGRATIONS: Record<ContactField, string[]> = {
  emails: ["email_discover", "hunter_email_finder", "pdl_person_enrich"],
  phones: ["pdl_person_enrich", "phone_normalize"],
};

export const contactGroupSlug = (field: ContactField) => `contact-${field}`;

/** The deployment may set `CONTACT_ENRICHMENT_MAX_AGE_SECONDS`; until it is part of the shared settings it is read here. */
type ContactEnv = Env & { CONTACT_ENRICHMENT_MAX_AGE_SECONDS?: string };

const maxAgeSchema = z.coerce.number().int().min(10).max(86_400).default(DEFAULT_CONTACT_MAX_AGE_SECONDS);

export function contactMaxAgeMs(env: Env): number {
  const raw = (env as ContactEnv).CONTACT_ENRICHMENT_MAX_AGE_SECONDS;
  const parsed = maxAgeSchema.safeParse(raw === "" ? undefined : raw);
  if (!parsed.success) throw new Error(`Invalid Dossier configuration: CONTACT_ENRICHMENT_MAX_AGE_SECONDS: ${parsed.error.issues[0]?.message}`);
  return parsed.data * 1000;
}
