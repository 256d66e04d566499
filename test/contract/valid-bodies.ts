import { type Fixture, SDN_ID, fixtureModel, fixtureValues } from "./fixtures";

/**
 * Bodies the document's own samples cannot make valid (a real integration code, an id of the organization, the
 * listed SDN entry), by operation. The generated suites vary these, so their bad inputs reach the handler.
 */
export function validBodies(fixture: Fixture): Record<string, unknown> {
  const [entityId] = fixtureValues(fixture, "entities/{id}");
  const run = { integrationCodes: ["phone_normalize"], params: { fields: ["phone"] } };
  return {
    "POST /v1/entities/{id}/enrichments": run,
    "POST /v1/entities/by-external-id/{externalId}/enrichments": run,
    "POST /v1/jobs": { entities: [entityId], ...run },
    "POST /v1/enrichment-groups": { slug: `group-${crypto.randomUUID().slice(0, 8)}`, name: "A group", integrationCodes: ["phone_normalize"] },
    "PATCH /v1/enrichment-groups/{idOrSlug}": { name: "Renamed group", integrationCodes: ["phone_normalize"] },
    "POST /v1/screening/cleared": { entityId, sdnId: SDN_ID, note: "Reviewed" },
    "POST /v1/llm/enrichments": { entities: [entityId], schemaId: fixtureValues(fixture, "schemas/{id}")[0], models: [fixtureModel(fixture)] },
    "POST /v1/llm/schemas/generate": { samples: [{ name: "Acme", founded: 1999 }], model: fixtureModel(fixture) },
    "POST /v1/llm/schemas/{id}/edit": { instruction: "Add the head count", model: fixtureModel(fixture) },
    "POST /api/single/enrich/stream": { entity_data: { name: "Acme" }, schema_id: fixtureValues(fixture, "schemas/{id}")[0], models: [fixtureModel(fixture)] },
    "POST /api/enrichment/batch/start": { entities: [{ name: "Acme" }], schema_id: fixtureValues(fixture, "schemas/{id}")[0], models: [fixtureModel(fixture)] },
    "POST /api/schema/generate/stream": { sample_data: { name: "Acme", founded: 1999 }, model: fixtureModel(fixture), save: false },
    "POST /api/schema/saved/{id}/prompt/stream": { prompt: "Add the head count", model: fixtureModel(fixture) },
  };
}
