import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN } from "../constants";
import { type OpenApiDocument, type Operation, accessOf, jsonBodyOf, operationsOf, pathParams, resourceOf, rolesBelow } from "../contract/document";
import {
  type Api,
  type ApiResponse,
  type Call,
  type Fixture,
  type Org,
  buildFixture,
  createOrgWithKeys,
  fixtureModel,
  fixtureValues,
  loadSanctionsList,
  unknownLike,
} from "../contract/fixtures";
import { inBatches, validRequest } from "../contract/requests";
import { requestInit, resultOf } from "../helpers/http-call";
import { type LiveWorker, startLiveWorker } from "./live-worker";
import { ResponseValidator, operationFor } from "./response-validator";

/**
 * Every answer of the real Worker, checked against `/openapi.json` with ajv (JSON Schema 2020-12): a
 * representative success of every operation, the main errors of each (401, 403, 404, 400, 415, and some 409 and
 * 422), each response's status, content type and body. A route whose description is incomplete fails here, and
 * so does a route added without a success call below.
 */
let live: LiveWorker;
let doc: OpenApiDocument;
let operations: Operation[];
let validator: ResponseValidator;
const problems: string[] = [];
const observed = new Map<string, Set<number>>();
const stats = { requests: 0, fiveHundreds: 0 };

const call: Call = async (method, path, options = {}) => {
  const init = { ...requestInit(method, options), signal: AbortSignal.timeout(15_000) };
  const res = await resultOf(await fetch(`${live.url}${path}`, init));
  stats.requests++;
  if (res.status >= 500) stats.fiveHundreds++;
  const op = operationFor(operations, method, path);
  if (!op) problems.push(`${method} ${path} answered ${res.status} but no documented operation matches it`);
  else {
    observed.set(op.id, (observed.get(op.id) ?? new Set()).add(res.status));
    problems.push(...validator.problems(op, { status: res.status, contentType: res.headers.get("content-type"), text: res.text }));
  }
  return res;
};

async function ok(res: Promise<ApiResponse>, what: string): Promise<any> {
  const answer = await res;
  if (answer.status >= 300) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer.json;
}

async function waitForJob(key: string, jobId: string, statuses = ["completed", "failed", "cancelled"]) {
  for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const job = await ok(call("GET", `/v1/jobs/${jobId}`, { key }), "job");
    if (statuses.includes(job.status)) return job;
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** A success of every operation, in an order that gives each what it needs. */
async function successes(api: Api, org: Org, fixture: Fixture) {
  const key = org.adminKey;
  const operator = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const id = (resource: string) => fixtureValues(fixture, resource)[0] as string;
  const entityId = id("entities/{id}");
  const externalId = id("by-external-id/{externalId}");
  const tag = crypto.randomUUID().slice(0, 8);

  await ok(call("GET", "/healthz"), "health");
  await ok(call("GET", "/v1/admin/sanctions/status", { headers: operator }), "sanctions status");
  await ok(call("GET", "/v1/admin/organizations?limit=2", { headers: operator }), "list orgs");
  await ok(call("POST", `/v1/admin/organizations/${org.orgId}/credits`, { headers: operator, body: { amount: 5 } }), "grant");

  await ok(call("GET", "/v1/api-keys?limit=2", { key }), "list keys");
  await ok(call("GET", "/v1/entities?type=person&q=ada", { key }), "list entities");
  await ok(call("GET", `/v1/entities/${entityId}`, { key }), "get entity");
  await ok(call("PATCH", `/v1/entities/${entityId}`, { key, body: { attributes: { title: "CTO" } } }), "patch entity");
  await ok(call("GET", `/v1/entities/by-external-id/${externalId}`, { key }), "get by external id");
  const upsert = { key, body: { type: "person", attributes: { fullName: "Grace Hopper" } } };
  await ok(call("PUT", `/v1/entities/by-external-id/put-${tag}`, upsert), "put (create)");
  await ok(call("PUT", `/v1/entities/by-external-id/put-${tag}`, upsert), "put (replace)");
  const doomed = await ok(call("POST", "/v1/entities", { key, body: { type: "company", attributes: { name: "Doomed Inc" } } }), "entity");
  await ok(call("DELETE", `/v1/entities/${doomed.id}`, { key }), "delete entity");
  await call("POST", "/v1/entities", { key, body: { type: "person", externalId, attributes: {} } });
  const again = { "idempotency-key": `contract-${tag}` };
  await ok(call("POST", "/v1/entities", { key, headers: again, body: { type: "company", attributes: { name: "Once" } } }), "idempotent");
  await call("POST", "/v1/entities", { key, headers: again, body: { type: "company", attributes: { name: "Twice" } } });
  await ok(call("GET", "/v1/audit-log?action=entity.created", { key }), "audit log");

  const code = id("custom/{code}");
  await ok(call("GET", "/v1/integrations", { key }), "catalog");
  await ok(call("GET", "/v1/integrations/fields", { key }), "fields");
  await ok(call("PUT", "/v1/integrations/phone_normalize", { key, body: { enabled: true } }), "configure");
  await ok(call("GET", "/v1/integrations/custom", { key }), "list custom");
  await ok(call("GET", `/v1/integrations/custom/${code}`, { key }), "get custom");
  await ok(call("PATCH", `/v1/integrations/custom/${code}`, { key, body: { name: "Renamed lookup" } }), "patch custom");
  const spare = `custom_spare_${tag}`;
  const definition = { code: spare, name: "Spare", entityTypes: ["company"], urlTemplate: `${api.fakeUrl}/custom/companies`, mapping: { "custom.segment": "$.result.segment" } };
  await ok(call("POST", "/v1/integrations/custom", { key, body: definition }), "spare custom");
  await ok(call("DELETE", `/v1/integrations/custom/${spare}`, { key }), "delete custom");

  const [groupId, slug] = fixtureValues(fixture, "enrichment-groups/{idOrSlug}");
  await ok(call("GET", "/v1/enrichment-groups", { key }), "list groups");
  await ok(call("GET", `/v1/enrichment-groups/${groupId}`, { key }), "get group");
  await ok(call("PATCH", `/v1/enrichment-groups/${slug}`, { key, body: { description: "Phones" } }), "patch group");
  const spareGroup = await ok(call("POST", "/v1/enrichment-groups", { key, body: { slug: `spare-${tag}`, name: "Spare", integrationCodes: ["phone_normalize"] } }), "group");
  await ok(call("DELETE", `/v1/enrichment-groups/${spareGroup.id}`, { key }), "delete group");

  const run = { integrationCodes: ["phone_normalize"] };
  await ok(call("POST", `/v1/entities/by-external-id/${externalId}/enrichments`, { key, body: run }), "enrich by external id");
  await ok(call("POST", `/v1/entities/${entityId}/enrichments?stream=true`, { key, body: run }), "enrich as a stream");
  await ok(call("GET", `/v1/entities/${entityId}/enrichments`, { key }), "entity enrichments");
  await ok(call("GET", `/v1/enrichments/${id("enrichments/{id}")}`, { key }), "enrichment");

  const jobId = id("jobs/{id}");
  await waitForJob(key, jobId);
  await ok(call("GET", "/v1/jobs?status=completed", { key }), "list jobs");
  await ok(call("GET", `/v1/jobs/${jobId}/results`, { key }), "results");
  await ok(call("GET", `/v1/jobs/${jobId}/results.csv`, { key }), "results.csv");
  await ok(call("GET", `/v1/jobs/${jobId}/events`, { key }), "events");
  await ok(call("PUT", "/v1/integrations/http_lookup_alt", { key, body: { enabled: true, config: { baseUrl: `${api.fakeUrl}/slow/` } } }), "slow provider");
  const slowJob = { entities: [{ type: "person", attributes: { fullName: "hang on" } }], integrationCodes: ["http_lookup_alt"] };
  const slow = await ok(call("POST", "/v1/jobs", { key, body: slowJob }), "slow job");
  await ok(call("POST", `/v1/jobs/${slow.jobId}/pause`, { key }), "pause");
  await ok(call("POST", `/v1/jobs/${slow.jobId}/resume`, { key }), "resume");
  await ok(call("POST", `/v1/jobs/${slow.jobId}/cancel`, { key }), "cancel");
  const flaky = { ...slowJob, entities: [{ type: "person", attributes: { fullName: "x flaky" } }], params: { scenario: `id=${tag}` } };
  const failing = await ok(call("POST", "/v1/jobs", { key, body: flaky }), "failing job");
  await waitForJob(key, failing.jobId);
  await ok(call("POST", `/v1/jobs/${failing.jobId}/retry`, { key }), "retry");

  await ok(call("PUT", "/v1/integrations/http_lookup", { key, body: { enabled: true, config: { baseUrl: `${api.fakeUrl}/contacts/hang` } } }), "contacts provider");
  await ok(call("POST", "/v1/enrichment-groups", { key, body: { slug: "contact-emails", name: "Contact emails", integrationCodes: ["http_lookup"] } }), "contact group");
  const contact = `/v1/people/${entityId}/contact-enrichment?field=emails`;
  await ok(call("POST", contact, { key }), "start contact enrichment");
  await ok(call("GET", contact, { key }), "contact enrichment");
  await ok(call("POST", contact.replace("?", "/cancel?"), { key }), "cancel contact enrichment");
  await compatSuccesses(key, entityId, externalId, id("enrich/{requestId}"));
  await ok(call("GET", "/v1/credits", { key }), "credits");
  await ok(call("GET", "/v1/credits/transactions", { key }), "ledger");
  await ok(call("GET", "/v1/credits/usage?groupBy=day", { key }), "usage");

  const webhookId = id("webhooks/{id}");
  await ok(call("GET", "/v1/webhooks", { key }), "list webhooks");
  await ok(call("GET", `/v1/webhooks/${webhookId}`, { key }), "get webhook");
  await ok(call("PATCH", `/v1/webhooks/${webhookId}`, { key, body: { description: "Contract" } }), "patch webhook");
  await ok(call("GET", `/v1/webhooks/${webhookId}/deliveries`, { key }), "deliveries");
  await ok(call("POST", `/v1/webhook-deliveries/${id("webhook-deliveries/{id}")}/redeliver`, { key }), "redeliver");
  const spareHook = await ok(call("POST", "/v1/webhooks", { key, body: { url: `${api.fakeUrl}/webhooks/in/spare-${tag}`, events: ["job.failed"] } }), "webhook");
  await ok(call("DELETE", `/v1/webhooks/${spareHook.id}`, { key }), "delete webhook");

  const ruleId = id("rules/{id}");
  const alertId = id("alerts/{id}");
  const rule = { name: "Spare rule", events: ["entity.created"], conditions: { fact: "entity.attributes.country", operator: "in", value: ["IR"] } };
  const spareRule = await ok(call("POST", "/v1/rules", { key, body: rule }), "create rule");
  await ok(call("GET", "/v1/rules?status=active&event=entity.updated", { key }), "list rules");
  await ok(call("GET", `/v1/rules/${ruleId}`, { key }), "get rule");
  await ok(call("PATCH", `/v1/rules/${ruleId}`, { key, body: { description: "Contract" } }), "patch rule");
  await ok(call("GET", `/v1/rules/${ruleId}/versions`, { key }), "rule versions");
  await ok(call("POST", `/v1/rules/${ruleId}/test`, { key, body: { entityId } }), "test rule");
  await ok(call("DELETE", `/v1/rules/${spareRule.id}`, { key }), "archive rule");
  await call("PATCH", `/v1/rules/${spareRule.id}`, { key, body: { priority: 0 } });
  await ok(call("GET", "/v1/rules/risk-levels", { key }), "risk levels");
  await ok(call("PUT", "/v1/rules/risk-levels", { key, body: { medium: 20, high: 50, critical: 80 } }), "put risk levels");
  await ok(call("POST", `/v1/entities/${entityId}/rules/evaluate`, { key }), "evaluate now");
  await ok(call("GET", "/v1/rules/evaluations?matched=true", { key }), "evaluations");
  await ok(call("GET", `/v1/entities/${entityId}/risk`, { key }), "risk");
  await ok(call("GET", "/v1/alerts?status=open", { key }), "alerts");
  await ok(call("GET", `/v1/alerts/${alertId}`, { key }), "alert");
  await ok(call("POST", `/v1/alerts/${alertId}/acknowledge`, { key }), "acknowledge");
  await ok(call("POST", `/v1/alerts/${alertId}/resolve`, { key, body: { resolution: "true_positive", note: "Contract" } }), "resolve");
  await call("POST", `/v1/alerts/${alertId}/acknowledge`, { key });

  await ok(call("GET", `/v1/screening/cleared?entityId=${entityId}`, { key }), "clearances");
  await ok(call("DELETE", `/v1/screening/cleared/${id("cleared/{id}")}`, { key }), "withdraw clearance");
  await llmSuccesses(api, org, fixture);

  await autoEnrichmentSuccesses(key, entityId, id("auto-enrichment/jobs/{id}"), id("auto-enrichment/conflicts/{id}"));
}

/** The compatibility APIs' own operations (src/features/compat; SalesOS's are auto-enrichment's); the fixture started an Instaview run. */
async function compatSuccesses(key: string, entityId: string, externalId: string, requestId: string) {
  const lance = `/api/v1/operations/enrichment/${entityId}?field=emails`;
  await ok(call("POST", lance, { key }), "Lance trigger");
  await ok(call("GET", lance, { key }), "Lance status");
  await ok(call("GET", `/sourcing/enrich/${requestId}/results`, { key }), "Instaview results");
  const gu1 = { integrationCodes: ["phone_normalize"], parameters: { fields: ["phone"] } };
  await ok(call("POST", "/integration-execution/marketplace/enrichment", { key, body: { entityId, ...gu1 } }), "gu1 by entity id");
  await ok(call("POST", "/integration-execution/marketplace/enrichment-by-external-id", { key, body: { externalId, ...gu1 } }), "gu1 by external id");
}

/** The auto-enrichment operations; the fixture ran one job on the person and left one open conflict. */
async function autoEnrichmentSuccesses(key: string, entityId: string, jobId: string, conflictId: string) {
  const base = "/v1/auto-enrichment";
  await ok(call("GET", `${base}/config`, { key }), "auto config");
  const config = await ok(call("PATCH", `${base}/config`, { key, body: { triggers: { cooldownHours: 24 } } }), "patch auto config");
  await ok(call("PUT", `${base}/config`, { key, body: config }), "put auto config");
  await ok(call("GET", `${base}/config/versions`, { key }), "auto config versions");
  await ok(call("GET", `${base}/jobs?entityType=person&status=succeeded`, { key }), "list auto jobs");
  await ok(call("GET", `${base}/jobs/${jobId}`, { key }), "auto job");
  // A second run within the cooldown is skipped COOLDOWN, which a retry may run again.
  const cooled = await ok(call("POST", `${base}/jobs`, { key, body: { entityIds: [entityId] } }), "manual auto run");
  for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const job = await ok(call("GET", `${base}/jobs/${cooled.jobIds[0]}`, { key }), "auto job");
    if (job.status === "skipped") break;
  }
  await ok(call("POST", `${base}/jobs/${cooled.jobIds[0]}/retry`, { key }), "auto retry");
  await ok(call("GET", `${base}/conflicts`, { key }), "conflicts");
  await ok(call("GET", `${base}/conflicts/${conflictId}`, { key }), "conflict");
  await ok(call("POST", `${base}/conflicts/${conflictId}/resolve`, { key }), "resolve (POST, no body)");
  await ok(call("PUT", `${base}/conflicts/${conflictId}/resolve`, { key, body: {} }), "resolve (PUT)");
  await ok(call("POST", `${base}/conflicts/resolve`, { key, body: { ids: [conflictId], action: "accept" } }), "bulk resolve");
  await ok(call("GET", `${base}/stats`, { key }), "auto stats");
  await ok(call("GET", `${base}/credits?groupBy=day`, { key }), "auto credits");
  await ok(call("POST", `${base}/pause`, { key }), "pause pipeline");
  await ok(call("POST", `${base}/resume`, { key }), "resume pipeline");
}

/** A success of every LLM operation, on the fixture's OpenAI-compatible provider (the fake LLM). */
async function llmSuccesses(api: Api, org: Org, fixture: Fixture) {
  const key = org.adminKey;
  const model = fixtureModel(fixture);
  const tag = crypto.randomUUID().slice(0, 8);
  const schemaId = fixtureValues(fixture, "schemas/{id}")[0] as string;
  await ok(call("GET", "/v1/llm/options", { key }), "options");
  await ok(call("GET", "/v1/llm/providers", { key }), "providers");
  const spare = `spare_${tag}`;
  const provider = { baseUrl: `${api.fakeUrl}/compat/~id=spare-${tag}/v1`, models: [{ model: "m", inputPerMTok: 1, outputPerMTok: 1 }] };
  await ok(call("PUT", `/v1/llm/providers/${spare}`, { key, body: provider }), "configure provider");
  await ok(call("PUT", `/v1/llm/providers/${spare}`, { key, body: { enabled: true } }), "change provider");
  await ok(call("DELETE", `/v1/llm/providers/${spare}`, { key }), "delete provider");

  await ok(call("GET", "/v1/llm/schemas", { key }), "schemas");
  await ok(call("GET", `/v1/llm/schemas/${schemaId}`, { key }), "schema");
  await ok(call("GET", `/v1/llm/schemas/${schemaId}/versions`, { key }), "versions");
  const draft = { name: "Spare", jsonSchema: { type: "object", properties: { name: { type: "string" } } } };
  const spareSchema = await ok(call("POST", "/v1/llm/schemas", { key, body: draft }), "create schema");
  await ok(call("PATCH", `/v1/llm/schemas/${spareSchema.id}`, { key, body: { description: "Changed" } }), "patch schema");
  await ok(call("POST", `/v1/llm/schemas/${spareSchema.id}/edit`, { key, body: { instruction: "Add the founding year", model } }), "edit schema");
  await ok(call("POST", "/v1/llm/schemas/generate", { key, body: { samples: [{ name: "Acme", founded: 1999 }], model } }), "generate schema");
  await ok(call("POST", "/v1/llm/schemas/generate?stream=true", { key, body: { samples: [{ name: "Acme" }], model, save: false } }), "generate as a stream");

  const run = { entities: [{ name: "Initech" }], schemaId, models: [model] };
  const started = await ok(call("POST", "/v1/llm/enrichments", { key, body: run }), "enrichment");
  await ok(call("POST", "/v1/llm/enrichments?stream=true", { key, body: run }), "enrichment as a stream");
  await waitForJob(key, started.jobId);
  const made = await ok(call("GET", `/v1/llm/records?jobId=${started.jobId}`, { key }), "records");
  const ids = [made.data[0]?.id, id(fixture, "records/{id}")];
  await ok(call("GET", `/v1/llm/records/${ids[0]}`, { key }), "record");
  await ok(call("POST", "/v1/llm/fusions", { key, body: { recordIds: ids } }), "rule-based fusion");
  const judged = await ok(call("POST", "/v1/llm/fusions", { key, body: { recordIds: ids, arbitrationModel: model } }), "fusion with an arbiter");
  await waitForJob(key, judged.jobId);
  await ok(call("POST", "/v1/llm/records/batch-delete", { key, body: { ids: [ids[0]] } }), "batch delete");
  await ok(call("DELETE", `/v1/llm/schemas/${spareSchema.id}`, { key }), "delete schema");

  const scripted = await fetch(`${api.fakeUrl}/fake-llm/script`, {
    method: "POST",
    body: JSON.stringify({ id: `fixture-${fixtureValues(fixture, "providers/{provider}")[0]?.replace("fixture_", "")}`, answers: { m: { status: "mismatch" } } }),
  });
  if (scripted.status !== 204) throw new Error(`script: ${scripted.status}`);
  const paused = await ok(call("POST", "/v1/llm/enrichments", { key, body: { ...run, classificationModel: model } }), "classified run");
  await waitForJob(key, paused.jobId, ["paused"]);
  await ok(call("POST", `/v1/jobs/${paused.jobId}/continue`, { key, body: { decision: "skip" } }), "continue");

  await ok(call("POST", "/v1/entity-sources/fetch", { key, body: { url: `${api.fakeUrl}/entity-source/json?n=2` } }), "entity source");
  await enricherSuccesses(api, org, fixture);
}

/** A success of every Entity Enricher operation (compat), with its X-API-Key header, on the fixture's fake LLM. */
async function enricherSuccesses(api: Api, org: Org, fixture: Fixture) {
  const send = (method: string, path: string, body?: unknown) => call(method, path, { headers: { "x-api-key": org.adminKey }, ...(body === undefined ? {} : { body }) });
  const model = fixtureModel(fixture);
  const schemaId = id(fixture, "saved/{id}");
  await ok(send("GET", "/api/enrichment/options"), "EE options");
  await ok(send("GET", "/api/schema/saved"), "EE schemas");
  const draft = { name: "EE spare", json_schema: { type: "object", properties: { name: { type: "string", identifying: true } } } };
  await ok(send("POST", "/api/schema/saved", draft), "EE create schema");
  await ok(send("POST", "/api/schema/generate/stream", { sample_data: { name: "Acme", founded: 1999 }, model, save: false }), "EE generate");
  await ok(send("POST", `/api/schema/saved/${schemaId}/prompt/stream`, { prompt: "Add the founding year", model }), "EE edit");
  const single = await ok(send("POST", "/api/single/enrich/stream", { entity_data: { name: "Initech" }, schema_id: schemaId, models: [model] }), "EE single");
  await ok(send("GET", `/api/llm/stream/${single.job_id}`), "EE stream");
  const batch = await ok(send("POST", "/api/enrichment/batch/start", { entities: [{ name: "Initech" }, { name: "Globex" }], schema_id: schemaId, models: [model] }), "EE batch");
  await ok(send("POST", `/api/llm/cancel/${batch.job_id}`), "EE cancel");
  await ok(send("POST", "/api/enrichment/batch/fetch", { url: `${api.fakeUrl}/entity-source/json?n=2` }), "EE fetch");
  const records = await ok(send("GET", `/api/records?job_id=${single.job_id}&page_size=10`), "EE records");
  const ids = [records.records[0]?.id, id(fixture, "records/{id}")];
  await ok(send("GET", `/api/records/${ids[0]}`), "EE record");
  await ok(send("POST", "/api/fusion/merge", { record_ids: ids }), "EE merge");
  await ok(send("POST", "/api/fusion/merge", { record_ids: ids, arbitration_model: model }), "EE merge with an arbiter");
  await ok(send("POST", "/api/records/batch-delete", { record_ids: [ids[0]] }), "EE batch delete");
  const scripted = await fetch(`${api.fakeUrl}/fake-llm/script`, {
    method: "POST",
    body: JSON.stringify({ id: `fixture-${fixtureValues(fixture, "providers/{provider}")[0]?.replace("fixture_", "")}`, answers: { m: { status: "mismatch" } } }),
  });
  if (scripted.status !== 204) throw new Error(`script: ${scripted.status}`);
  const paused = await ok(send("POST", "/api/single/enrich/stream", { entity_data: { name: "Initech" }, schema_id: schemaId, models: [model], classification_model: model }), "EE classified");
  await waitForJob(org.adminKey, paused.job_id, ["paused"]);
  await ok(send("POST", `/api/llm/continue/${paused.job_id}`, { decision: "skip" }), "EE continue");
}

const id = (fixture: Fixture, resource: string) => fixtureValues(fixture, resource)[0] as string;

/** The errors a client of each operation must handle, generated from the document. */
async function mainErrors(org: Org, fixture: Fixture) {
  const sample = { urlBase: live.fakeUrl };
  const tasks = operations.flatMap((op) => {
    const access = accessOf(op, doc);
    const credentials = access.kind === "operator" ? { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } : { authorization: `Bearer ${org.adminKey}` };
    const request = (headers: Record<string, string>, params?: Record<string, string>) => validRequest(doc, op, fixture, sample, headers, params);
    const send = (r: ReturnType<typeof request>) => () => call(r.method, r.path, r.options);
    const list: (() => Promise<ApiResponse>)[] = [];
    if (access.kind !== "public") list.push(send(request({})));
    if (access.kind === "apiKey") {
      for (const role of rolesBelow(access.minRole).slice(-1)) list.push(send(request({ authorization: `Bearer ${org.keys[role]}` })));
    }
    if (access.kind !== "public" && op.raw.responses["404"] && pathParams(op).length > 0) {
      const params = Object.fromEntries(pathParams(op).map((p) => [p.name, unknownLike(fixtureValues(fixture, resourceOf(op.path, p.name))[0] as string)]));
      list.push(send(request(credentials, params)));
    }
    if (op.raw.requestBody) {
      const r = request(credentials);
      list.push(() => call(r.method, r.path, { headers: { ...credentials, "content-type": "application/xml" }, rawBody: "<entity/>" }));
      if (jsonBodyOf(op)) list.push(() => call(r.method, r.path, { headers: { ...credentials, "content-type": "application/json" }, rawBody: '{"broken": ' }));
    }
    return list;
  });
  await inBatches(tasks, 6);
}

beforeAll(async () => {
  live = await startLiveWorker();
  doc = (await (await fetch(`${live.url}/openapi.json`)).json()) as OpenApiDocument;
  operations = operationsOf(doc);
  validator = new ResponseValidator(doc);
  const api: Api = { call, adminToken: TEST_ADMIN_TOKEN, fakeUrl: live.fakeUrl };
  await loadSanctionsList(api);
  const org = await createOrgWithKeys(api, "Responses");
  const fixture = await buildFixture(api, org);
  await successes(api, org, fixture);
  await mainErrors(org, fixture);
}, 120_000);

afterAll(async () => {
  if (process.env.CONTRACT_DEBUG) console.log([...observed].map(([k, v]) => `${k}: ${[...v].join(",")}`).join("\n"));
  console.log(`response validation: ${observed.size} of ${operations?.length} operations, ${stats.requests} responses validated, ${stats.fiveHundreds} answered 5xx`);
  await live?.stop();
}, 30_000);

describe("every answer of the running Worker matches /openapi.json", () => {
  it("no response breaks the document (status, content type, body schema)", () => {
    expect(problems).toEqual([]);
    expect(stats.fiveHundreds).toBe(0);
  });

  it("every operation was called with success", () => {
    const missing = operations.filter((op) => ![...(observed.get(op.id) ?? [])].some((s) => s < 300)).map((op) => op.id);
    expect(missing, "add a success call for these operations to successes() in this file").toEqual([]);
  });

  it("every operation was called with its main errors", () => {
    const missing = operations.flatMap((op) => {
      const seen = observed.get(op.id) ?? new Set();
      const access = accessOf(op, doc);
      const want = [
        ...(access.kind === "public" ? [] : [401]),
        ...(access.kind === "apiKey" && rolesBelow(access.minRole).length > 0 ? [403] : []),
        ...(op.raw.responses["404"] && pathParams(op).length > 0 ? [404] : []),
        ...(op.raw.requestBody ? [415] : []),
        ...(jsonBodyOf(op) ? [400] : []),
      ];
      return want.filter((s) => !seen.has(s)).map((s) => `${op.id} ${s}`);
    });
    expect(missing).toEqual([]);
  });
});

describe("the validator can fail", () => {
  const entityOp = () => operations.find((op) => op.id === "GET /v1/entities/{id}") as Operation;
  const entity = { id: crypto.randomUUID(), type: "person", externalId: null, attributes: {}, enriched: {}, tags: [], createdAt: "t", updatedAt: "t" };

  it("accepts a body that matches", () => {
    expect(validator.problems(entityOp(), { status: 200, contentType: "application/json", text: JSON.stringify(entity) })).toEqual([]);
  });

  it("rejects an undeclared status, a wrong content type and a body of the wrong shape", () => {
    expect(validator.problems(entityOp(), { status: 409, contentType: "application/json", text: "{}" }).join()).toMatch(/not declared/);
    expect(validator.problems(entityOp(), { status: 200, contentType: "text/html", text: "<p>" }).join()).toMatch(/content type/);
    const wrong = { ...entity, type: "robot", id: 7 };
    expect(validator.problems(entityOp(), { status: 200, contentType: "application/json", text: JSON.stringify(wrong) }).join()).toMatch(/does not match/);
    const error = { error: { code: "NOT_FOUND" } };
    expect(validator.problems(entityOp(), { status: 404, contentType: "application/json", text: JSON.stringify(error) }).join()).toMatch(/message/);
  });

  it("maps a request to the most specific documented operation, and to none when nothing is documented", () => {
    expect(operationFor(operations, "GET", "/v1/integrations/fields")?.id).toBe("GET /v1/integrations/fields");
    expect(operationFor(operations, "GET", "/v1/entities/by-external-id/x?y=1")?.id).toBe("GET /v1/entities/by-external-id/{externalId}");
    expect(operationFor(operations, "GET", "/v1/undocumented")).toBeUndefined();
  });
});
