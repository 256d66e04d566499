import { defineProduct } from "../product";

/** The enrichment group an organization names `deep-enrichment` is what a run does; without one, these. */
export const DEEP_ENRICHMENT_GROUP = "deep-enrichment";
export const DEFAULT_DEEP_ENRICHMENT = ["web_profile", "email_discover"];
/** Instaview's per-profile timeout and price. */
export const PROFILE_TIMEOUT_MS = 10_000;
export const PROFILE_CREDITS = 1;

export const instaview = defineProduct({
  name: "instaview",
  tag: "Compatibility: Instaview",
  description:
    "Instaview's enrichment runs (`POST /sourcing/enrich`, `GET /sourcing/enrich/{requestId}/results`), served by a Dossier batch job " +
    "with `Authorization: Bearer <Dossier API key>`. A profile id is an entity's externalId or id; a run does what the organization's " +
    `\`${DEEP_ENRICHMENT_GROUP}\` enrichment group does (else ${DEFAULT_DEEP_ENRICHMENT.join(" and ")}), 10 s per profile, failures isolated, ` +
    "1 credit per profile enriched (a prepaid balance must cover 1 per profile first: 402). `requestId` is `enr_` + the job id. " +
    "Webhooks may subscribe to ENRICH_COMPLETED and ENRICH_FAILED (signed like every Dossier webhook). Errors are Dossier's.",
});
