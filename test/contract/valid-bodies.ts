import { type Fixture, SDN_ID, fixtureModel, fixtureValues } from "./fixtures";

/**
 * Bodies the document's own samples cannot make valid (a real integration code, an id of the organization, the
 * listed SDN entry), by operation. The generated suites vary these, so their bad inputs reach the handler.
 */
export function validBodies(fixture: Fixture): Record<string, unknown> {
  const [entityId] = fixtureValues(fixture, "entities/{id}");
  const [externalId] = fixtureValues(fixture, "by-external-id/{externalId}");
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
    "POST /v1/auto-enrichment/jobs": { entityIds: [entityId] },
    "POST /v1/auto-enrichment/conflicts/resolve": { ids: fixtureValues(fixture, "auto-enrichment/conflicts/{id}"), action: "dismiss" },
    "POST /v1/rules": { name: "A rule", events: ["entity.created"], conditions: { fact: "entity.attributes.country", operator: "in", value: ["IR"] } },
    "PATCH /v1/rules/{id}": { description: "Changed" },
    "POST /v1/rules/{id}/test": { entityId },
    "PUT /v1/rules/risk-levels": { medium: 30, high: 60, critical: 85 },
    "POST /v1/alerts/{id}/resolve": { resolution: "not_applicable" },
    "POST /sourcing/enrich": { profileIds: [externalId] },
    "POST /integration-execution/marketplace/enrichment": { entityId, integrationCodes: ["phone_normalize"], parameters: { fields: ["phone"] } },
    "POST /integration-execution/marketplace/enrichment-by-external-id": { externalId, integrationCodes: ["phone_normalize"], parameters: { fields: ["phone"] } },
    "POST /api/single/enrich/stream": { entity_data: { name: "Acme" }, schema_id: fixtureValues(fixture, "schemas/{id}")[0], models: [fixtureModel(fixture)] },
    "POST /api/enrichment/batch/start": { entities: [{ name: "Acme" }], schema_id: fixtureValues(fixture, "schemas/{id}")[0], models: [fixtureModel(fixture)] },
    "POST /api/schema/generate/stream": { sample_data: { name: "Acme", founded: 1999 }, model: fixtureModel(fixture), save: false },
    "POST /api/schema/saved/{id}/prompt/stream": { prompt: "Add the head count", model: fixtureModel(fixture) },
  };
}
