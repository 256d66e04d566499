import { defineProduct } from "../product";

export const lance = defineProduct({
  name: "lance",
  tag: "Compatibility: Lance",
  description:
    "Lance's person contact enrichment (`/api/v1/operations/enrichment/{personId}?field=emails|phones`), served by Dossier's contact " +
    "enrichment with `Authorization: Bearer <Dossier API key>`. `personId` is a Dossier person's id. A search that found nothing is " +
    "`finished` with `dataFound: false`, and POST answers it again, free, like any finished search. Errors are Dossier's, with Lance's codes.",
});
