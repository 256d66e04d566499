import { describe, expect, it } from "vitest";
import { call, createKey } from "../helpers/api";
import { type AutoOrg, autoOrg, conflictsOf, createPerson, finishedJobs, personConfig, putConfig, until } from "../auto-enrichment/support";

/**
 * SalesOS's Auto Enrichment API (../shared/reference/salesos.md): its paths are Dossier's own /v1/auto-enrichment/*,
 * so its client code runs unchanged. Each of its 13 documented calls is made here as its document writes it
 * (`Authorization: Bearer <token>`, the bodies `{}` or none), and answers what its document says it answers.
 */
const base = "/v1/auto-enrichment";
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
/** A documented call: bearer auth, and a JSON body only where the document sends `-d '{}'`. */
const salesos = (key: string, method: string, path: string, body?: unknown) =>
  call(method, `${base}${path}`, { headers: bearer(key), ...(body === undefined ? {} : { body }) });

/** An organization whose people get one auto-enrichment job each, and a conflict on `title` (theirs differs from the provider's). */
async function salesosOrg(): Promise<AutoOrg> {
  const org = await autoOrg();
  await putConfig(org.adminKey, personConfig({ fieldMapping: { jobTitle: "title" } }, { triggers: { cooldownHours: 24 } }));
  return org;
}

async function personWithConflict(org: AutoOrg, name: string) {
  const id = await createPerson(org.adminKey, { fullName: name, title: "CTO" });
  const [job] = await finishedJobs(org.adminKey, id);
  const [conflict] = await conflictsOf(org.adminKey, `entityId=${id}`);
  if (!job || !conflict) throw new Error(`no job or conflict for ${name}`);
  return { id, job, conflict };
}

describe("SalesOS Auto Enrichment (Dossier's /v1/auto-enrichment)", () => {
  it("GET, PATCH {} and PUT {} /config: the configuration; PATCH {} keeps it as a new version, PUT {} resets it to the defaults", async () => {
    const org = await salesosOrg();
    const got = await salesos(org.adminKey, "GET", "/config");
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ enabled: true, version: 1, entityTypes: { person: { integrationCodes: ["http_lookup"] } } });

    const patched = await salesos(org.adminKey, "PATCH", "/config", {});
    expect(patched.status).toBe(200);
    const { version, updatedAt, updatedByKeyId, ...kept } = patched.json;
    expect(version).toBe(2);
    expect(kept).toEqual((({ version: _v, updatedAt: _u, updatedByKeyId: _k, ...rest }) => rest)(got.json));

    const put = await salesos(org.adminKey, "PUT", "/config", {});
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ enabled: false, version: 3, entityTypes: {} });
    expect((await salesos(org.adminKey, "GET", "/config")).json).toEqual(put.json);
  });

  it("GET /jobs?entityType=&status= lists the jobs of that type and status; GET /jobs/{id} details one", async () => {
    const org = await salesosOrg();
    const { id, job } = await personWithConflict(org, "Lis Ting");
    expect(job.status).toBe("succeeded");

    const listed = await salesos(org.adminKey, "GET", "/jobs?entityType=person&status=succeeded");
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
    for (const query of ["entityType=company&status=succeeded", "entityType=person&status=failed"]) {
      const none = await salesos(org.adminKey, "GET", `/jobs?${query}`);
      expect(none.status, query).toBe(200);
      expect(none.json.data, query).toEqual([]);
    }
    // The document's own placeholders (`%3Cstring%3E`) are no type or status: a 400 naming each.
    const placeholder = await salesos(org.adminKey, "GET", "/jobs?entityType=%3Cstring%3E&status=%3Cstring%3E");
    expect(placeholder.status).toBe(400);
    expect(placeholder.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["entityType", "status"]);

    const detail = await salesos(org.adminKey, "GET", `/jobs/${job.id}`);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({ id: job.id, entityId: id, entityType: "person", status: "succeeded", results: [{ integrationCode: "http_lookup", status: "succeeded" }] });
    expect((await salesos(org.adminKey, "GET", `/jobs/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("GET /conflicts lists those needing review; POST (no body) and PUT {} /conflicts/{id}/resolve both resolve one (accept)", async () => {
    const org = await salesosOrg();
    const a = await personWithConflict(org, "Pos Ted");
    const b = await personWithConflict(org, "Put Ted");
    const open = await salesos(org.adminKey, "GET", "/conflicts");
    expect(open.status).toBe(200);
    expect(open.json.data.map((c: { id: string }) => c.id).sort()).toEqual([a.conflict.id, b.conflict.id].sort());
    expect(open.json.data[0]).toMatchObject({ status: "open", field: "title" });

    const posted = await salesos(org.adminKey, "POST", `/conflicts/${a.conflict.id}/resolve`);
    expect(posted.status).toBe(200);
    expect(posted.json).toMatchObject({ conflict: { id: a.conflict.id, status: "resolved", resolution: { action: "accept" } }, applied: { field: "title", value: "Chief of Pos Ted" } });
    const put = await salesos(org.adminKey, "PUT", `/conflicts/${b.conflict.id}/resolve`, {});
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ conflict: { id: b.conflict.id, status: "resolved", resolution: { action: "accept" } }, applied: { field: "title", value: "Chief of Put Ted" } });
    expect((await salesos(org.adminKey, "GET", "/conflicts")).json.data).toEqual([]);
    expect((await salesos(org.adminKey, "POST", `/conflicts/${crypto.randomUUID()}/resolve`)).status).toBe(404);
  });

  it("POST /jobs/{id}/retry queues a job for retry (202), once", async () => {
    const org = await salesosOrg();
    const { id } = await personWithConflict(org, "Re Try");
    // A second run within the 24 h cooldown is skipped; a retry runs it.
    const run = await call("POST", `${base}/jobs`, { key: org.adminKey, body: { entityIds: [id] } });
    expect(run.status).toBe(202);
    const [skipped] = await finishedJobs(org.adminKey, id, 2);
    expect(skipped).toMatchObject({ status: "skipped", skipReason: "COOLDOWN" });
    const retried = await salesos(org.adminKey, "POST", `/jobs/${skipped.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ entityId: id, status: "queued" });
    expect(retried.json.id).not.toBe(skipped.id);
    expect((await salesos(org.adminKey, "POST", `/jobs/${skipped.id}/retry`)).status).toBe(409);
  });

  it("POST /pause and /resume: the pipeline paused, then resumed; GET /stats and /credits: statistics and credit usage", async () => {
    const org = await salesosOrg();
    await personWithConflict(org, "Sta Ts");
    const paused = await salesos(org.adminKey, "POST", "/pause");
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ status: "paused", paused: true });
    const resumed = await salesos(org.adminKey, "POST", "/resume");
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ status: "active", paused: false });

    const stats = await salesos(org.adminKey, "GET", "/stats");
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({ pipeline: { status: "active" }, jobs: { total: 1, byStatus: { succeeded: 1 } }, conflicts: { open: 1 } });
    const credits = await until(
      () => salesos(org.adminKey, "GET", "/credits"),
      (res) => res.json?.total?.charges === 1,
      "the job's charge in the credit usage",
    );
    expect(credits.status).toBe(200);
    expect(credits.json).toMatchObject({ groupBy: "integration", data: [{ key: "http_lookup", charges: 1 }] });
    expect(credits.json.total.credits).toBeGreaterThan(0);
  });

  it("every call needs a valid bearer key (401); reads are a viewer's, the rest refuse a viewer (403)", async () => {
    const org = await salesosOrg();
    const { job, conflict } = await personWithConflict(org, "Ro Les");
    const viewer = await createKey(org.adminKey, "viewer");
    const calls: [string, string, unknown?][] = [
      ["GET", "/config"],
      ["PATCH", "/config", {}],
      ["PUT", "/config", {}],
      ["GET", "/jobs?entityType=person&status=succeeded"],
      ["GET", `/jobs/${job.id}`],
      ["GET", "/conflicts"],
      ["POST", `/conflicts/${conflict.id}/resolve`],
      ["PUT", `/conflicts/${conflict.id}/resolve`, {}],
      ["GET", "/stats"],
      ["POST", `/jobs/${job.id}/retry`],
      ["POST", "/pause"],
      ["POST", "/resume"],
      ["GET", "/credits"],
    ];
    for (const [method, path, body] of calls) {
      expect((await salesos("not-a-key", method, path, body)).status, `${method} ${path}`).toBe(401);
      expect((await salesos(viewer.key, method, path, body)).status, `${method} ${path} as a viewer`).toBe(method === "GET" ? 200 : 403);
    }
  });
});
