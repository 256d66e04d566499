import { createRoute, z } from "@hono/zod-openapi";
import { idempotent } from "../../../platform/http/idempotency";
import { createRouter, idempotencyHeader, insufficientCreditsError, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../../platform/http/openapi";
import { type EnrichRequest, EnrichResponseSchema, enrichByRef, enrichRefDeps } from "../../enrichment";
import { EnrichRequestSchema } from "../../enrichment";
import { authorize } from "../../tenancy";
import { gu1 } from "./product";

/** gu1's request: Dossier's, with the entity in the body and `params` named `parameters`. */
const Gu1Run = EnrichRequestSchema.omit({ params: true }).extend({
  parameters: EnrichRequestSchema.shape.params.openapi({ description: "Passed to every integration (Dossier's `params`)", example: { fields: ["phoneE164"] } }),
});

const ByIdBody = Gu1Run.extend({
  entityId: z.uuid().openapi({ description: "The entity's id", example: "5388f1c9-bea8-491f-b2e9-4ff5b6fc08c0" }),
}).openapi("Gu1EnrichmentRequest");

const ByExternalIdBody = Gu1Run.extend({
  externalId: z.string().min(1).max(255).openapi({ description: "Your own id of the entity", example: "crm-1" }),
}).openapi("Gu1EnrichmentByExternalIdRequest");

const ByExternalIdResponse = EnrichResponseSchema.extend({ externalId: z.string() }).openapi("Gu1EnrichmentByExternalIdResponse");

const errors = { ...notFoundError, ...insufficientCreditsError, ...unprocessableError };

const byId = createRoute({
  method: "post",
  path: "/integration-execution/marketplace/enrichment",
  tags: [gu1.tag],
  summary: "Execute enrichment by entity id (gu1)",
  description: "Runs the integrations on the entity and answers every result (partial success is a 200). An unknown entity is a 404.",
  middleware: [gu1.served, authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(ByIdBody) },
  responses: { 200: jsonResponse(EnrichResponseSchema, "Executed; individual results may have failed"), ...errors },
});

const byExternalId = createRoute({
  method: "post",
  path: "/integration-execution/marketplace/enrichment-by-external-id",
  tags: [gu1.tag],
  summary: "Execute enrichment by external id (gu1)",
  description: "Looks the entity up by your externalId, then runs the integrations exactly as by id; the answer adds `externalId`.",
  middleware: [gu1.served, authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(ByExternalIdBody) },
  responses: { 200: jsonResponse(ByExternalIdResponse, "Executed; individual results may have failed"), ...errors },
});

const enrichRequestOf = ({ parameters: params, ...rest }: z.infer<typeof Gu1Run>): EnrichRequest => ({ ...rest, ...(params === undefined ? {} : { params }) });

export const gu1Routes = createRouter()
  .openapi(byId, async (c) => {
    const { entityId, ...run } = c.req.valid("json");
    return c.json(await enrichByRef(enrichRefDeps(c), { id: entityId }, enrichRequestOf(run)), 200);
  })
  .openapi(byExternalId, async (c) => {
    const { externalId, ...run } = c.req.valid("json");
    return c.json({ ...(await enrichByRef(enrichRefDeps(c), { externalId }, enrichRequestOf(run))), externalId }, 200);
  });
