import { describe, expect, it } from "vitest";
import { call, createKey } from "../helpers/api";
import { type AutoOrg, autoOrg, conflictsOf, createPerson, entityOf, finishedJobs, personConfig, putConfig } from "./support";

/** An organization whose people get one conflict each on `title` (their own title differs from the provider's). */
async function conflictOrg(): Promise<AutoOrg> {
  const org = await autoOrg();
  await putConfig(org.adminKey, personConfig({ fieldMapping: { jobTitle: "title" } }, { triggers: { cooldownHours: 0 } }));
  return org;
}

async function personWithConflict(org: AutoOrg, name: string, title = "CTO") {
  const id = await createPerson(org.adminKey, { fullName: name, title });
  await finishedJobs(org.adminKey, id);
  const [conflict] = await conflictsOf(org.adminKey, `entityId=${id}`);
  if (!conflict) throw new Error(`no conflict for ${name}`);
  return { id, conflict };
}

const resolve = (key: string, id: string, body?: Record<string, unknown>, method = "POST") =>
  call(method, `/v1/auto-enrichment/conflicts/${id}/resolve`, { key, ...(body === undefined ? {} : { body }) });

const rerun = async (org: AutoOrg, id: string, count: number) => {
  expect((await call("POST", "/v1/auto-enrichment/jobs", { key: org.adminKey, body: { entityIds: [id] } })).status).toBe(202);
  return finishedJobs(org.adminKey, id, count);
};

describe("conflict review", () => {
  it("accept writes the proposal as the customer's (resolution), with an audit row; repeating it answers the same", async () => {
    const org = await conflictOrg();
    const member = await createKey(org.adminKey, "member");
    const { id, conflict } = await personWithConflict(org, "Acc Ept");
    const res = await resolve(member.key, conflict.id, { action: "accept", note: "checked LinkedIn" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      conflict: { id: conflict.id, status: "resolved", resolution: { action: "accept", value: "Chief of Acc Ept", note: "checked LinkedIn", auto: false, resolvedByKeyId: member.id } },
      applied: { field: "title", value: "Chief of Acc Ept" },
    });
    const entity = await entityOf(org.adminKey, id);
    expect(entity.attributes.title).toBe("Chief of Acc Ept");
    expect(entity.attributeSources.title).toMatchObject({ source: "resolution", integrationCode: "http_lookup", setByKeyId: member.id });
    const audit = await call("GET", `/v1/audit-log?action=auto_enrichment.conflict_resolved&targetId=${id}`, { key: org.adminKey });
    expect(audit.json.data[0].data).toMatchObject({ conflictId: conflict.id, action: "accept", field: "title", before: "CTO", after: "Chief of Acc Ept" });
    const again = await resolve(member.key, conflict.id, { action: "accept" });
    expect(again.status).toBe(200);
    expect(again.json.conflict.resolution.action).toBe("accept");
    const other = await resolve(member.key, conflict.id, { action: "dismiss" });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe("CONFLICT");
    // The accepted value is protected: a later run proposes nothing over it.
    const [latest] = await rerun(org, id, 2);
    expect(latest.results[0].fieldsSkipped).toEqual([{ field: "title", reason: "unchanged" }]);
  });

  it("POST without a body and PUT with {} accept; viewers may not resolve", async () => {
    const org = await conflictOrg();
    const viewer = await createKey(org.adminKey, "viewer");
    const a = await personWithConflict(org, "Body Less");
    const b = await personWithConflict(org, "Put Empty");
    expect((await resolve(viewer.key, a.conflict.id)).status).toBe(403);
    const posted = await resolve(org.adminKey, a.conflict.id);
    expect(posted.status).toBe(200);
    expect(posted.json.conflict.resolution.action).toBe("accept");
    const put = await resolve(org.adminKey, b.conflict.id, {}, "PUT");
    expect(put.status).toBe(200);
    expect(put.json.applied).toEqual({ field: "title", value: "Chief of Put Empty" });
  });

  it("custom writes a validated value; a bad or missing value is a 400 at `value`", async () => {
    const org = await conflictOrg();
    await putConfig(org.adminKey, personConfig({ fieldMapping: { jobTitle: "title", phoneE164: "phone" } }, { triggers: { cooldownHours: 0 } }));
    const id = await createPerson(org.adminKey, { fullName: "Cus Tom", title: "CTO", email: "custom@example.com", phone: "555 0100" });
    await finishedJobs(org.adminKey, id);
    const byField = Object.fromEntries((await conflictsOf(org.adminKey, `entityId=${id}`)).map((c) => [c.field, c]));
    const missing = await resolve(org.adminKey, byField.title.id, { action: "custom" });
    expect(missing.status).toBe(400);
    expect(missing.json.error.details[0].path).toBe("value");
    const extra = await resolve(org.adminKey, byField.title.id, { action: "keep", value: "x" });
    expect(extra.status).toBe(400);
    const tooLong = await resolve(org.adminKey, byField.title.id, { action: "custom", value: "x".repeat(400) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.details[0].path).toBe("value");
    const ok = await resolve(org.adminKey, byField.title.id, { action: "custom", value: "  Chief Technology Officer " });
    expect(ok.status).toBe(200);
    expect(ok.json.applied).toEqual({ field: "title", value: "Chief Technology Officer" });
    expect((await entityOf(org.adminKey, id)).attributes.title).toBe("Chief Technology Officer");
    expect(byField.phone).toMatchObject({ current: { value: "555 0100" }, proposed: { value: "+14155552671" } });
  });

  it("keep leaves the value and suppresses the same proposal later; dismiss lets it come back", async () => {
    const org = await conflictOrg();
    const kept = await personWithConflict(org, "Kee Per");
    const dismissed = await personWithConflict(org, "Dis Miss");
    expect((await resolve(org.adminKey, kept.conflict.id, { action: "keep" })).status).toBe(200);
    expect((await resolve(org.adminKey, dismissed.conflict.id, { action: "dismiss" })).status).toBe(200);
    expect((await entityOf(org.adminKey, kept.id)).attributes.title).toBe("CTO");
    const [keptRun] = await rerun(org, kept.id, 2);
    expect(keptRun.results[0].fieldsSkipped).toEqual([{ field: "title", reason: "suppressed" }]);
    expect(await conflictsOf(org.adminKey, `entityId=${kept.id}`)).toEqual([]);
    await rerun(org, dismissed.id, 2);
    const back = await conflictsOf(org.adminKey, `entityId=${dismissed.id}`);
    expect(back).toHaveLength(1);
    expect(back[0].id).not.toBe(dismissed.conflict.id);
  });

  it("counts a repeated proposal as one more occurrence of the same open conflict", async () => {
    const org = await conflictOrg();
    const { id, conflict } = await personWithConflict(org, "Rep Eat");
    const [second] = await rerun(org, id, 2);
    await rerun(org, id, 3);
    const open = await conflictsOf(org.adminKey, `entityId=${id}`);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ id: conflict.id, occurrences: 3, createdByJobId: conflict.createdByJobId });
    expect(second.results[0].conflictIds).toEqual([conflict.id]);
    expect(second.summary.conflictsCreated).toBe(0);
  });

  it("is a 409 when the attribute changed since the conflict was raised (compare-and-set)", async () => {
    const org = await conflictOrg();
    const { id, conflict } = await personWithConflict(org, "Cha Nged");
    await call("PATCH", `/v1/entities/${id}`, { key: org.adminKey, body: { attributes: { title: "CEO" } } });
    const res = await resolve(org.adminKey, conflict.id, { action: "accept" });
    expect(res.status).toBe(409);
    expect(res.json.error.details).toEqual({ currentValue: "CEO" });
    expect((await entityOf(org.adminKey, id)).attributes.title).toBe("CEO");
    // Dismissing a stale conflict is still possible.
    expect((await resolve(org.adminKey, conflict.id, { action: "dismiss" })).status).toBe(200);
  });

  it("resolves many at once, reporting each one's outcome", async () => {
    const org = await conflictOrg();
    const a = await personWithConflict(org, "Bulk One");
    const b = await personWithConflict(org, "Bulk Two");
    const c = await personWithConflict(org, "Bulk Three");
    await resolve(org.adminKey, c.conflict.id, { action: "keep" });
    const unknown = crypto.randomUUID();
    const res = await call("POST", "/v1/auto-enrichment/conflicts/resolve", {
      key: org.adminKey,
      body: { ids: [a.conflict.id, b.conflict.id, c.conflict.id, unknown], action: "accept", note: "bulk" },
    });
    expect(res.status).toBe(200);
    expect(res.json.succeeded).toEqual([a.conflict.id, b.conflict.id]);
    expect(res.json.failed).toEqual([
      { id: c.conflict.id, error: expect.objectContaining({ code: "CONFLICT" }) },
      { id: unknown, error: expect.objectContaining({ code: "NOT_FOUND" }) },
    ]);
    expect((await entityOf(org.adminKey, b.id)).attributes.title).toBe("Chief of Bulk Two");
    expect(await conflictsOf(org.adminKey)).toEqual([]);
    expect((await conflictsOf(org.adminKey, "status=resolved")).length).toBe(3);
    const custom = await call("POST", "/v1/auto-enrichment/conflicts/resolve", { key: org.adminKey, body: { ids: [a.conflict.id], action: "custom" } });
    expect(custom.status).toBe(400);
  });

  it("autoAccept takes a confident newer finding over an enrichment value (recorded, never over a customer's)", async () => {
    const org = await autoOrg({ options: { title: "First Title", conf: 0.95 } });
    await putConfig(
      org.adminKey,
      personConfig({ fieldMapping: { jobTitle: "title", companyName: "companyName" } }, { triggers: { cooldownHours: 0 }, conflicts: { autoAccept: { enabled: true, minConfidence: 0.9 } } }),
    );
    const id = await createPerson(org.adminKey, { fullName: "Auto Accept", companyName: "Mine Inc" });
    await finishedJobs(org.adminKey, id);
    const { pointAt } = await import("./support");
    await pointAt(org.adminKey, "http_lookup", `${crypto.randomUUID()};title=Second Title;conf=0.95`);
    const [second] = await rerun(org, id, 2);
    expect(second.results[0]).toMatchObject({ fieldsUpdated: ["title"], fieldsProposed: ["companyName"] });
    expect((await entityOf(org.adminKey, id)).attributes).toMatchObject({ title: "Second Title", companyName: "Mine Inc" });
    const resolved = await conflictsOf(org.adminKey, `entityId=${id}&status=resolved`);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ field: "title", kind: "source_disagreement", resolution: { action: "accept", auto: true }, current: { value: "First Title", source: "enrichment" } });
    expect((await conflictsOf(org.adminKey, `entityId=${id}`)).map((c) => c.field)).toEqual(["companyName"]);
    const stats = await call("GET", "/v1/auto-enrichment/stats", { key: org.adminKey });
    expect(stats.json.conflicts).toMatchObject({ opened: 1, open: 1, resolved: { auto: 1, accept: 0 } });
    // Without autoAccept the same disagreement waits for a person.
    await call("PATCH", "/v1/auto-enrichment/config", { key: org.adminKey, body: { conflicts: { autoAccept: { enabled: false } } } });
    await pointAt(org.adminKey, "http_lookup", `${crypto.randomUUID()};title=Third Title;conf=0.95`);
    await rerun(org, id, 3);
    expect((await conflictsOf(org.adminKey, `entityId=${id}&field=title`))[0]).toMatchObject({ kind: "source_disagreement", proposed: { value: "Third Title" } });
  });

  it("filters the review queue and answers a conflict by id", async () => {
    const org = await conflictOrg();
    const { id, conflict } = await personWithConflict(org, "Fil Ter");
    expect((await conflictsOf(org.adminKey, "field=title&integrationCode=http_lookup&kind=customer_value")).map((c) => c.id)).toEqual([conflict.id]);
    expect(await conflictsOf(org.adminKey, "field=companyName")).toEqual([]);
    expect(await conflictsOf(org.adminKey, "integrationCode=http_lookup_alt")).toEqual([]);
    const one = await call("GET", `/v1/auto-enrichment/conflicts/${conflict.id}`, { key: org.adminKey });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: conflict.id, entityId: id, current: { value: "CTO", source: "customer" } });
    expect(one.json.current.setAt).toBeTruthy();
  });
});
