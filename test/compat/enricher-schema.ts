/** Shared by the workers tests and the document-examples test (node): no imports. */

/** A schema with two expertise domains, in Entity Enricher's snake_case body. */
export const SCHEMA_BODY = {
  name: "Pharma company",
  entity_type: "company",
  expertise_domains: { history: { name: "History" }, finance: { name: "Finance" } },
  json_schema: {
    type: "object",
    properties: {
      legalName: { type: "string", identifying: true },
      founded: { type: "integer", minimum: 1800, maximum: 2030, expertise: "history" },
      revenueUsdM: { type: "number", expertise: "finance" },
      sector: { type: "string", enum: ["tech", "health", "energy", "retail"] },
    },
    required: ["legalName"],
  },
};
