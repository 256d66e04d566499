import type { CallOptions, CallResult } from "../helpers/http-call";

export type { CallOptions };

/**
 * One organization's worth of real resources, made through the API, named by what a path parameter points at
 * (`resourceOf`). The generated suites take every path parameter's value from here, so an operation whose
 * parameter this file does not know fails them until someone adds a line below.
 */

export type ApiResponse = CallResult;

export type Call = (method: string, path: string, options?: CallOptions) => Promise<ApiResponse>;

export interface Api {
  call: Call;
  adminToken: string;
  /** The fake provider on 127.0.0.1. */
  fakeUrl: string;
}

export interface Org {
  orgId: string;
  /** A fresh admin key with a rate limit nobody reaches, for suites that send thousands of requests. */
  adminKey: string;
  keys: Record<"viewer" | "member" | "admin", string>;
  /** An admin key, revoked. */
  revokedKey: string;
}

async function expectStatus(res: Promise<ApiResponse>, status: number, what: string) {
  const answer = await res;
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 500)}`);
  return answer.json;
}

export async function createOrgWithKeys(api: Api, name: string): Promise<Org> {
  const operator = { authorization: `Bearer ${api.adminToken}` };
  const made = await expectStatus(
    api.call("POST", "/v1/admin/organizations", { headers: operator, body: { name, billingMode: "postpaid" } }),
    201,
    "create org",
  );
  const first: string = made.apiKey.key;
  const key = (role: string, extra: Record<string, unknown> = {}) =>
    expectStatus(api.call("POST", "/v1/api-keys", { key: first, body: { name: `${role} key`, role, ...extra } }), 201, `create ${role} key`);
  const [admin, member, viewer, revoked] = await Promise.all([key("admin", { rateLimitPerMinute: 1_000_000 }), key("member"), key("viewer"), key("admin")]);
  await expectStatus(api.call("DELETE", `/v1/api-keys/${revoked.id}`, { key: first }), 200, "revoke key");
  return {
    orgId: made.organization.id,
    adminKey: admin.key,
    keys: { admin: admin.key, member: member.key, viewer: viewer.key },
    revokedKey: revoked.key,
  };
}

/** One SDN entry (OFAC's SDN.CSV columns), so a clearance has something to clear. */
export const SDN_ID = 4_242_001;
const SDN_CSV = `${SDN_ID},"QUINCEYFIELD, Johnathan Marlowe","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1970."`;

/** The deployment-wide sanctions list the clearance fixture needs (operator upload). */
export async function loadSanctionsList(api: Api) {
  await expectStatus(
    api.call("POST", "/v1/admin/sanctions/import?source=contract", {
      headers: { authorization: `Bearer ${api.adminToken}`, "content-type": "text/csv" },
      rawBody: SDN_CSV,
    }),
    200,
    "import sanctions list",
  );
}

export type Fixture = Map<string, string[]>;

/** Every kind of resource a path can name, in `org`. Needs `loadSanctionsList` first. */
export async function buildFixture(api: Api, org: Org): Promise<Fixture> {
  const key = org.adminKey;
  const post = (path: string, body: unknown, status = 201) => expectStatus(api.call("POST", path, { key, body }), status, `POST ${path}`);
  const tag = crypto.randomUUID().slice(0, 8);
  const externalId = `contract-${tag}`;
  const person = await post("/v1/entities", {
    type: "person",
    externalId,
    attributes: { fullName: "Ada Lovelace", email: "ada@example.com", phone: "+44 20 7946 0958" },
  });
  const customCode = `custom_contract_${tag}`;
  const [enrichment, apiKey, custom, group, webhook, job, clearance, run] = await Promise.all([
    post(`/v1/entities/${person.id}/enrichments`, { integrationCodes: ["phone_normalize"] }, 200),
    post("/v1/api-keys", { name: "fixture key", role: "viewer" }),
    post("/v1/integrations/custom", {
      code: customCode,
      name: "Fixture lookup",
      entityTypes: ["person"],
      urlTemplate: `${api.fakeUrl}/custom/people?email={{email}}`,
      mapping: { jobTitle: "$.data.person.title" },
    }),
    post("/v1/enrichment-groups", { slug: `fixture-${tag}`, name: "Fixture group", integrationCodes: ["phone_normalize"] }),
    post("/v1/webhooks", { url: `${api.fakeUrl}/webhooks/in/contract-${tag}`, events: ["job.completed"] }),
    post("/v1/jobs", { entities: [person.id], integrationCodes: ["phone_normalize"] }, 202),
    post("/v1/screening/cleared", { entityId: person.id, sdnId: SDN_ID, note: "fixture" }),
    // Instaview's run (compat): a job over the person, by its externalId.
    post("/sourcing/enrich", { profileIds: [externalId] }, 202),
  ]);
  const delivery = await post(`/v1/webhooks/${webhook.id}/test`, undefined, 202);
  const llm = await buildLlmFixture(api, key, tag);
  const rule = await post("/v1/rules", {
    name: "Fixture rule",
    status: "active",
    events: ["entity.updated"],
    conditions: { fact: "entity.type", operator: "eq", value: "person" },
    actions: [{ type: "create_alert", severity: "low", title: "Fixture alert" }],
  });
  const evaluated = await post(`/v1/entities/${person.id}/rules/evaluate`, undefined, 200);
  const alertId: string | undefined = evaluated.evaluations?.[0]?.actions?.[0]?.alertId;
  if (!alertId) throw new Error(`the fixture evaluation raised no alert: ${JSON.stringify(evaluated)}`);
  const auto = await autoEnrichmentFixture(api, key, person.id);
  const enrichmentId: string | undefined = enrichment.results?.[0]?.enrichmentId;
  if (!enrichmentId) throw new Error(`the fixture enrichment made no record: ${JSON.stringify(enrichment)}`);
  return new Map([
    ["entities/{id}", [person.id]],
    ["by-external-id/{externalId}", [externalId]],
    ["people/{personId}", [person.id]],
    ["enrichment/{personId}", [person.id]],
    ["enrich/{requestId}", [run.requestId]],
    ["enrichments/{id}", [enrichmentId]],
    ["api-keys/{id}", [apiKey.id]],
    ["integrations/{code}", [customCode]],
    ["custom/{code}", [customCode]],
    ["enrichment-groups/{idOrSlug}", [group.id, group.slug]],
    ["webhooks/{id}", [webhook.id]],
    ["webhook-deliveries/{id}", [delivery.id]],
    ["jobs/{id}", [job.jobId]],
    ["cleared/{id}", [clearance.id]],
    ["organizations/{id}", [org.orgId]],
    ["schemas/{id}", [llm.schemaId]],
    ["records/{id}", [llm.recordId]],
    ["providers/{provider}", [llm.provider]],
    ["rules/{id}", [rule.id]],
    ["alerts/{id}", [alertId]],
    ["auto-enrichment/jobs/{id}", [auto.jobId]],
    ["auto-enrichment/conflicts/{id}", [auto.conflictId]],
    // Entity Enricher's paths (compat): the LLM run's job, the saved schema.
    ["stream/{job_id}", [llm.jobId]],
    ["cancel/{job_id}", [llm.jobId]],
    ["continue/{job_id}", [llm.jobId]],
    ["saved/{id}", [llm.schemaId]],
  ]);
}

/** The model key of the fixture's LLM provider (an OpenAI-compatible server on the fake). */
export const fixtureModel = (fixture: Fixture) => `${fixtureValues(fixture, "providers/{provider}")[0]}::m`;

/**
 * An OpenAI-compatible provider on the fake LLM (named per fixture, so two organizations' names differ), a schema,
 * and the record of one finished run with it.
 */
async function buildLlmFixture(api: Api, key: string, tag: string) {
  const provider = `fixture_${tag}`;
  await expectStatus(
    api.call("PUT", `/v1/llm/providers/${provider}`, {
      key,
      body: { baseUrl: `${api.fakeUrl}/compat/~id=fixture-${tag}/v1`, models: [{ model: "m", inputPerMTok: 1, outputPerMTok: 2, structuredOutput: true }] },
    }),
    201,
    "LLM provider",
  );
  const schema = await expectStatus(
    api.call("POST", "/v1/llm/schemas", { key, body: { name: "Fixture schema", entityType: "company", jsonSchema: { type: "object", properties: { name: { type: "string", identifying: true }, founded: { type: "integer" } } } } }),
    201,
    "LLM schema",
  );
  const run = await expectStatus(api.call("POST", "/v1/llm/enrichments", { key, body: { entities: [{ name: "Fixture Inc" }], schemaId: schema.id, models: [`${provider}::m`] } }), 202, "LLM run");
  for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const found = await expectStatus(api.call("GET", `/v1/llm/records?jobId=${run.jobId}`, { key }), 200, "LLM records");
    if (found.data.length > 0) return { provider, schemaId: schema.id as string, recordId: found.data[0].id as string, jobId: run.jobId as string };
  }
  throw new Error("the fixture's LLM run made no record");
}

/**
 * An auto-enrichment job and a conflict: the person's phone as typed ("+44 20 7946 0958") differs from phone_normalize's
 * E.164 finding, which is mapped onto it, so a manual run proposes it for review. The queue runs it in the background.
 */
async function autoEnrichmentFixture(api: Api, key: string, personId: string): Promise<{ jobId: string; conflictId: string }> {
  const config = { enabled: true, entityTypes: { person: { integrationCodes: ["phone_normalize"], fieldMapping: { phoneE164: "phone" } } } };
  await expectStatus(api.call("PUT", "/v1/auto-enrichment/config", { key, body: config }), 200, "auto-enrichment config");
  const run = await expectStatus(api.call("POST", "/v1/auto-enrichment/jobs", { key, body: { entityIds: [personId] } }), 202, "auto-enrichment run");
  for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const conflicts = await expectStatus(api.call("GET", `/v1/auto-enrichment/conflicts?entityId=${personId}`, { key }), 200, "conflicts");
    const [conflict] = conflicts.data as { id: string }[];
    if (conflict) return { jobId: run.jobIds[0], conflictId: conflict.id };
  }
  throw new Error("the fixture's auto-enrichment run raised no conflict");
}

/** The fixture's values for what a path parameter points at; throws when the fixture does not know it. */
export function fixtureValues(fixture: Fixture, resource: string): string[] {
  const values = fixture.get(resource);
  if (!values?.length) throw new Error(`No fixture for ${resource}: add a line to buildFixture in test/contract/fixtures.ts`);
  return values;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value shaped like `known` that names nothing: a fresh UUID for a UUID, else the value with a random tail. */
export function unknownLike(known: string): string {
  if (UUID.test(known)) return crypto.randomUUID();
  return `${known}${known.includes("-") ? "-" : "_"}${crypto.randomUUID().slice(0, 8).replace(/-/g, "")}`;
}
