import { fakeUrl } from "./helpers";

/** An http_json definition against the fake CRM (test/fake-provider/custom.ts). */
export function peopleDefinition(code: string, extra: Record<string, unknown> = {}) {
  return {
    code,
    name: "CRM people lookup",
    description: "Our CRM's person API",
    entityTypes: ["person"],
    urlTemplate: `${fakeUrl("custom")}/people?email={{email}}`,
    headers: { authorization: "Bearer {{secrets.token}}", "x-tenant": "{{params.tenant}}" },
    mapping: { jobTitle: "$.data.person.title", "custom.tier": "$.data.person.tier" },
    noData: [{ path: "$.data.person", when: "missing" }],
    confidence: { path: "$.data.person.score", scale: 100 },
    credits: 2,
    costCents: 1,
    timeoutMs: 5000,
    ...extra,
  };
}
