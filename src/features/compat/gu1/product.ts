import { defineProduct } from "../product";

export const gu1 = defineProduct({
  name: "gu1",
  tag: "Compatibility: gu1",
  description:
    "gu1's marketplace enrichment (`POST /integration-execution/marketplace/enrichment` with the entity's id in the body, and " +
    "`…/enrichment-by-external-id`), served by Dossier's synchronous enrichment with `Authorization: Bearer <Dossier API key>`. " +
    "`enrichmentGroupRefs` expand to their codes, `integrationCodes` are appended and duplicates dropped, as on /v1; `parameters` " +
    "are Dossier's `params`. The answer is Dossier's EnrichResponse (plus `externalId` by external id); errors are Dossier's.",
});
