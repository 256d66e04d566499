import { defineProduct } from "../product";

/**
 * SalesOS's Auto Enrichment paths are Dossier's own, so this layer has no routes: its document's 13 calls are
 * auto-enrichment's, listed under its tag as well. test/compat/salesos.test.ts runs each as documented.
 */
export const salesos = defineProduct({
  name: "salesos",
  tag: "Compatibility: SalesOS",
  description:
    "SalesOS's Auto Enrichment API is Dossier's own `/v1/auto-enrichment/*` with `Authorization: Bearer <Dossier API key>`: every " +
    "call its document lists is listed here too (and under Auto-enrichment). `PATCH`/`PUT /config` with `{}` keep or reset the " +
    "configuration, `GET /jobs` filters by `entityType` and `status`, and `POST` and `PUT /conflicts/{id}/resolve` are the same " +
    "operation (the body may be left out: accept). COMPAT_APIS without salesos only drops this tag; the routes are Dossier's.",
  nativeOperations: [
    "get /v1/auto-enrichment/config",
    "patch /v1/auto-enrichment/config",
    "put /v1/auto-enrichment/config",
    "get /v1/auto-enrichment/jobs",
    "get /v1/auto-enrichment/jobs/{id}",
    "get /v1/auto-enrichment/conflicts",
    "post /v1/auto-enrichment/conflicts/{id}/resolve",
    "put /v1/auto-enrichment/conflicts/{id}/resolve",
    "get /v1/auto-enrichment/stats",
    "post /v1/auto-enrichment/jobs/{id}/retry",
    "post /v1/auto-enrichment/pause",
    "post /v1/auto-enrichment/resume",
    "get /v1/auto-enrichment/credits",
  ],
});
