import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { receiverUrl } from "../helpers/webhook-receiver";
import {
  autoOrg,
  conflictsOf,
  createPerson,
  entityOf,
  finishedJobs,
  jobsOf,
  personConfig,
  providerStats,
  putConfig,
  until,
} from "./support";

const settle = () => new Promise((r) => setTimeout(r, 300));

async function hook(key: string, events: string[]) {
  const res = await call("POST", "/v1/webhooks", { key, body: { url: receiverUrl().url, events } });
  if (res.status !== 201) throw new Error(`webhook: ${res.status} ${res.text}`);
  return res.json.id as string;
}

async function deliveries(key: string, webhookId: string) {
  const res = await call("GET", `/v1/webhooks/${webhookId}/deliveries?limit=200`, { key });
  return res.json.data as { eventType: string; eventId?: string }[];
}

describe("an entity enriches itself", () => {
  it("is enriched within seconds of its creation: mapped fields filled, provenance recorded, charged once", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({}, { triggers: { onUpdate: { fields: ["title", "email"] } } }));
    const id = await createPerson(org.adminKey, { fullName: "Ada Auto", email: "ada@example.com" });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job).toMatchObject({ trigger: "created", status: "succeeded", entityId: id, creditsCharged: 1, skipReason: null });
    expect(job.results[0]).toMatchObject({ integrationCode: "http_lookup", status: "succeeded", fieldsFilled: ["title", "companyName"] });
    expect(job.durationMs).toBeGreaterThanOrEqual(0);
    const entity = await entityOf(org.adminKey, id);
    expect(entity.attributes).toMatchObject({ fullName: "Ada Auto", title: "Chief of Ada Auto", companyName: "Ada Auto Holdings" });
    expect(entity.attributeSources.title).toMatchObject({ source: "enrichment", integrationCode: "http_lookup", confidence: 0.9, enrichmentId: job.results[0].enrichmentId });
    expect(entity.attributeSources.fullName).toMatchObject({ source: "customer", setByKeyId: org.adminKeyId });
    expect(entity.enriched.jobTitle).toMatchObject({ value: "Chief of Ada Auto", source: "http_lookup" });
    expect((await providerStats(org.scenario)).calls).toBe(1);
    // Its own writes never trigger it again, though `title` is a watched field here.
    await settle();
    expect(await jobsOf(org.adminKey, `entityId=${id}`)).toHaveLength(1);
    const plain = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(plain.json.attributeSources).toBeUndefined();
    const search = await call("GET", "/v1/entities?q=ada%20auto%20holdings", { key: org.adminKey });
    expect(search.json.data.map((e: { id: string }) => e.id)).toEqual([id]);
  });

  it("is off by default, and a disabled entity type or an unchecked trigger queues nothing", async () => {
    const org = await autoOrg();
    const first = await createPerson(org.adminKey, { fullName: "Nobody Asked" });
    await putConfig(org.adminKey, personConfig({ enabled: false }));
    const second = await createPerson(org.adminKey, { fullName: "Type Off" });
    await putConfig(org.adminKey, personConfig({}, { triggers: { onCreate: false } }));
    const third = await createPerson(org.adminKey, { fullName: "Create Off" });
    await settle();
    for (const id of [first, second, third]) expect(await jobsOf(org.adminKey, `entityId=${id}`)).toEqual([]);
    expect((await providerStats(org.scenario)).calls).toBe(0);
  });

  it("fillEmpty never overwrites: a customer's differing value stays and becomes one conflict", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig());
    const id = await createPerson(org.adminKey, { fullName: "Grace Kept", title: "CTO" });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job.results[0]).toMatchObject({ fieldsFilled: ["companyName"], fieldsProposed: ["title"] });
    const entity = await entityOf(org.adminKey, id);
    expect(entity.attributes.title).toBe("CTO");
    expect(entity.attributeSources.title.source).toBe("customer");
    const [conflict] = await conflictsOf(org.adminKey, `entityId=${id}`);
    expect(conflict).toMatchObject({
      kind: "customer_value",
      status: "open",
      field: "title",
      enrichedField: "jobTitle",
      current: { value: "CTO", source: "customer" },
      proposed: { value: "Chief of Grace Kept", source: "http_lookup", confidence: 0.9, enrichmentId: job.results[0].enrichmentId },
      occurrences: 1,
      entity: { id, type: "person", name: "Grace Kept" },
    });
    expect(job.summary.conflictsCreated).toBe(1);
  });

  it("overwrite replaces enrichment's own values but a customer's survives it and yields one conflict", async () => {
    const org = await autoOrg({ options: { title: "Head of Things" } });
    await putConfig(org.adminKey, personConfig({ writePolicy: { default: "overwrite" } }, { triggers: { cooldownHours: 0 } }));
    const id = await createPerson(org.adminKey, { fullName: "Olga Over", companyName: "Customer Co" });
    await finishedJobs(org.adminKey, id);
    expect((await entityOf(org.adminKey, id)).attributes).toMatchObject({ title: "Head of Things", companyName: "Customer Co" });
    // The provider changes its answer; a manual run refreshes what enrichment wrote.
    const { pointAt } = await import("./support");
    const next = `${crypto.randomUUID()};title=Chief Thing Officer`;
    await pointAt(org.adminKey, "http_lookup", next);
    const run = await call("POST", "/v1/auto-enrichment/jobs", { key: org.adminKey, body: { entityIds: [id] } });
    expect(run.status).toBe(202);
    const jobs = await finishedJobs(org.adminKey, id, 2);
    expect(jobs[0].results[0]).toMatchObject({ fieldsUpdated: ["title"], fieldsProposed: ["companyName"] });
    const entity = await entityOf(org.adminKey, id);
    expect(entity.attributes).toMatchObject({ title: "Chief Thing Officer", companyName: "Customer Co" });
    expect(entity.attributeSources.companyName.source).toBe("customer");
    const conflicts = await conflictsOf(org.adminKey, `entityId=${id}`);
    expect(conflicts.map((c) => [c.field, c.kind])).toEqual([["companyName", "customer_value"]]);
  });

  it("below minConfidence nothing is written or proposed", async () => {
    const org = await autoOrg({ options: { conf: 0.5 } });
    await putConfig(org.adminKey, personConfig());
    const id = await createPerson(org.adminKey, { fullName: "Low Conf", title: "Boss" });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job.results[0].fieldsSkipped).toEqual([
      { field: "title", reason: "below_min_confidence" },
      { field: "companyName", reason: "below_min_confidence" },
    ]);
    expect(job.results[0].fieldsFilled).toEqual([]);
    expect((await entityOf(org.adminKey, id)).attributes.companyName).toBeUndefined();
    expect(await conflictsOf(org.adminKey, `entityId=${id}`)).toEqual([]);
  });

  it("review always proposes and none writes nothing", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({ writePolicy: { default: "review", fields: { companyName: "none" } } }));
    const id = await createPerson(org.adminKey, { fullName: "Rita Review" });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job.results[0]).toMatchObject({ fieldsProposed: ["title"], fieldsSkipped: [{ field: "companyName", reason: "policy_none" }] });
    expect((await entityOf(org.adminKey, id)).attributes.title).toBeUndefined();
    const [conflict] = await conflictsOf(org.adminKey, `entityId=${id}`);
    expect(conflict).toMatchObject({ kind: "review_required", current: { value: null, source: null } });
  });

  it("skips with MISSING_INPUT, without a provider call, when no set of required inputs is present", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({ requiredInputs: [["email"], ["linkedinUrl"]] }));
    const id = await createPerson(org.adminKey, { fullName: "No Inputs" });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job).toMatchObject({ status: "skipped", skipReason: "MISSING_INPUT", creditsCharged: 0, results: [] });
    expect((await providerStats(org.scenario)).calls).toBe(0);
  });

  it("runs a change of a watched field (not of another), and the cooldown holds back a run too soon after the last", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({}, { triggers: { onUpdate: { fields: ["email"] }, cooldownHours: 0 } }));
    const id = await createPerson(org.adminKey, { fullName: "Watch Me" });
    await finishedJobs(org.adminKey, id);
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { country: "GB" } } });
    await settle();
    expect(await jobsOf(org.adminKey, `entityId=${id}`)).toHaveLength(1);
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { email: "watch@example.com" } } });
    const [updated] = await finishedJobs(org.adminKey, id, 2);
    expect(updated).toMatchObject({ trigger: "updated", triggerFields: ["email"], status: "succeeded" });
    // With a 24 h cooldown the next change is held back, visibly and without a provider call.
    await call("PATCH", "/v1/auto-enrichment/config", { key: org.adminKey, body: { triggers: { cooldownHours: 24 } } });
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { email: "again@example.com" } } });
    const [cooled] = await finishedJobs(org.adminKey, id, 3);
    expect(cooled).toMatchObject({ trigger: "updated", status: "skipped", skipReason: "COOLDOWN" });
    expect((await providerStats(org.scenario)).calls).toBe(2);
  });

  it("a tags-only change triggers no update run: tags are not an attribute, so no watched field names them", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({}, { triggers: { onUpdate: { fields: ["email", "title"] }, cooldownHours: 0 } }));
    const id = await createPerson(org.adminKey, { fullName: "Tag Only" });
    await finishedJobs(org.adminKey, id);
    const patched = await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { tags: ["vip"] } });
    expect(patched.json.tags).toEqual(["vip"]);
    await settle();
    expect(await jobsOf(org.adminKey, `entityId=${id}`)).toHaveLength(1);
    const watchTags = await call("PATCH", "/v1/auto-enrichment/config", { key: org.adminKey, body: { triggers: { onUpdate: { fields: ["tags"] } } } });
    expect(watchTags.status).toBe(400);
    expect(watchTags.json.error.details).toEqual([{ path: "triggers.onUpdate.fields.0", message: "'tags' is not an attribute" }]);
    // A change of tags and a watched field together runs, for the watched field.
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { tags: [], attributes: { email: "tag@example.com" } } });
    const [updated] = await finishedJobs(org.adminKey, id, 2);
    expect(updated).toMatchObject({ trigger: "updated", triggerFields: ["email", "tags"], status: "succeeded" });
    expect((await providerStats(org.scenario)).calls).toBe(2);
  });

  it("runs a create payload's integrationCodes once, even with auto-enrichment off; unknown codes are a 400", async () => {
    const org = await autoOrg();
    const bad = await call("POST", "/v1/entities", {
      key: org.adminKey,
      body: { type: "person", attributes: { fullName: "X" }, integrationCodes: ["http_lookup", "no_such_thing", "gleif_lei"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([
      { path: "integrationCodes.1", message: "Unknown integration 'no_such_thing'" },
      { path: "integrationCodes.2", message: "gleif_lei does not enrich person entities" },
    ]);
    expect((await call("GET", "/v1/entities", { key: org.adminKey })).json.data).toEqual([]);
    const id = await createPerson(org.adminKey, { fullName: "Gu One", email: "gu@example.com" }, { integrationCodes: ["http_lookup", "phone_normalize"] });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job).toMatchObject({ trigger: "created", integrationCodes: ["http_lookup", "phone_normalize"], status: "succeeded" });
    expect(job.results.map((r: { integrationCode: string; status: string }) => [r.integrationCode, r.status])).toEqual([
      ["http_lookup", "succeeded"],
      ["phone_normalize", "skipped"],
    ]);
    // Off by default: nothing is mapped, so it is recorded in `enriched` only.
    expect((await entityOf(org.adminKey, id)).enriched.jobTitle.value).toBe("Chief of Gu One");
  });

  it("imports trigger only with onImport: PUT by externalId and a batch job's inline entities", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig());
    const put = (ext: string) => call("PUT", `/v1/entities/by-external-id/${ext}`, { key: org.adminKey, body: { type: "person", attributes: { fullName: `Imported ${ext}` } } });
    const quiet = await put("imp-1");
    await settle();
    expect(await jobsOf(org.adminKey, `entityId=${quiet.json.id}`)).toEqual([]);
    await call("PATCH", "/v1/auto-enrichment/config", { key: org.adminKey, body: { triggers: { onImport: true } } });
    const loud = await put("imp-2");
    const [job] = await finishedJobs(org.adminKey, loud.json.id);
    expect(job).toMatchObject({ trigger: "import", status: "succeeded" });
    const batch = await call("POST", "/v1/jobs", {
      key: org.adminKey,
      body: { integrationCodes: ["phone_normalize"], entities: [{ type: "person", externalId: "imp-3", attributes: { fullName: "Batch Person" } }] },
    });
    expect(batch.status).toBe(202);
    const imported = await until(() => call("GET", "/v1/entities/by-external-id/imp-3", { key: org.adminKey }), (r) => r.status === 200, "imp-3");
    const [batchJob] = await finishedJobs(org.adminKey, imported.json.id);
    expect(batchJob).toMatchObject({ trigger: "import", status: "succeeded" });
    expect((await entityOf(org.adminKey, imported.json.id)).attributeSources.fullName.source).toBe("customer");
  });

  it("coalesces repeated triggers into the waiting job", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig({}, { triggers: { onUpdate: { fields: ["email", "linkedinUrl"] }, cooldownHours: 0 } }));
    await call("POST", "/v1/auto-enrichment/pause", { key: org.adminKey });
    const id = await createPerson(org.adminKey, { fullName: "Co Alesce" });
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { email: "co@example.com" } } });
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { linkedinUrl: "https://linkedin.com/in/co" } } });
    const waiting = await jobsOf(org.adminKey, `entityId=${id}`);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ trigger: "created", coalesced: 2, triggerFields: ["email", "linkedinUrl"] });
    await call("POST", "/v1/auto-enrichment/resume", { key: org.adminKey });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job.status).toBe("succeeded");
    expect((await providerStats(org.scenario)).calls).toBe(1);
  });

  it("never lands a fill over a value the customer wrote while the run was in flight (compare-and-set)", async () => {
    const org = await autoOrg({ options: { delay: 1500 } });
    await putConfig(org.adminKey, personConfig({}, { triggers: { onUpdate: { fields: ["email"] } } }));
    const id = await createPerson(org.adminKey, { fullName: "Race Condition" });
    await until(() => jobsOf(org.adminKey, `entityId=${id}`), (j) => j[0]?.status === "running", "the run to start");
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { title: "Typed Meanwhile" } } });
    const [job] = await finishedJobs(org.adminKey, id);
    expect(job.results[0]).toMatchObject({ fieldsFilled: ["companyName"], fieldsSkipped: [{ field: "title", reason: "changed_during_run" }] });
    expect(job.summary).toMatchObject({ fieldsFilled: 1 });
    const entity = await entityOf(org.adminKey, id);
    expect(entity.attributes).toMatchObject({ title: "Typed Meanwhile", companyName: "Race Condition Holdings" });
    expect(entity.attributeSources.title.source).toBe("customer");
  });

  it("waterfall stops once the mapped fields are found; companies use their own mapping", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, {
      enabled: true,
      entityTypes: {
        company: { integrationCodes: ["http_lookup", "http_lookup_alt"], strategy: "waterfall", fieldMapping: { industry: "custom.industry" } },
      },
    });
    const res = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "company", attributes: { name: "Water Fall Ltd" } } });
    const [job] = await finishedJobs(org.adminKey, res.json.id);
    expect(job.results.map((r: { integrationCode: string; status: string }) => [r.integrationCode, r.status])).toEqual([
      ["http_lookup", "succeeded"],
      ["http_lookup_alt", "skipped"],
    ]);
    expect(job.creditsCharged).toBe(1);
    const entity = await entityOf(org.adminKey, res.json.id);
    expect(entity.attributes.custom).toEqual({ industry: "Industry of Water Fall Ltd" });
    expect(entity.attributeSources["custom.industry"]).toMatchObject({ source: "enrichment" });
  });

  it("publishes entity.created and entity.updated with the changed fields, and each auto run's events", async () => {
    const org = await autoOrg();
    await putConfig(org.adminKey, personConfig());
    const webhookId = await hook(org.adminKey, ["entity.created", "entity.updated", "auto_enrichment.completed", "enrichment.completed", "auto_enrichment.conflict_created"]);
    const id = await createPerson(org.adminKey, { fullName: "Eve Events", title: "Boss" });
    const [job] = await finishedJobs(org.adminKey, id);
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { country: "FR" } } });
    const seen = await until(() => deliveries(org.adminKey, webhookId), (d) => d.length >= 5, "five deliveries");
    expect(seen.map((d) => d.eventType).sort()).toEqual([
      "auto_enrichment.completed",
      "auto_enrichment.conflict_created",
      "enrichment.completed",
      "entity.created",
      "entity.updated",
    ]);
    const { env } = await import("cloudflare:workers");
    const { results } = await env.DB.prepare("SELECT event_id, event_type, payload FROM webhook_deliveries WHERE webhook_id = ?").bind(webhookId).all<{ event_id: string; event_type: string; payload: string }>();
    const byType = Object.fromEntries(results.map((r) => [r.event_type, { id: r.event_id, data: JSON.parse(r.payload).data }]));
    expect(byType["auto_enrichment.completed"]?.id).toBe(`evt_auto_${job.id}`);
    expect(byType["enrichment.completed"]).toMatchObject({ id: `evt_auto_${job.id}_enrichment`, data: { entityId: id, trigger: "created", autoJobId: job.id } });
    expect(byType["entity.created"]?.data).toEqual({ entityId: id, entityType: "person", externalId: null, changed: ["fullName", "title"], origin: "api" });
    expect(byType["entity.updated"]?.data).toEqual({ entityId: id, entityType: "person", externalId: null, changed: ["country"], origin: "api" });
  });
});
