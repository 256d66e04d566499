import { beforeAll, describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { enrich } from "../helpers/enrichment";
import { importSdnCsv, sdnRow } from "./helpers";

/** A two-entry list: the clearance flow needs a listed name, not the whole list. */
const LIST = [
  sdnRow(101, "QUINCEYFIELD, Johnathan Marlowe", "individual", "SDGT", "DOB 01 Jan 1970; nationality Germany."),
  sdnRow(102, "NORTHWIND SHADOW TRADING LLC", null, "SDGT", null),
].join("\r\n");

interface Screening {
  hit: boolean;
  riskLevel: string;
  matches: { sdnId: number; cleared: boolean; clearanceId: string | null }[];
}

async function entity(key: string, fullName: string) {
  const res = await call("POST", "/v1/entities", { key, body: { type: "person", attributes: { fullName } } });
  if (res.status !== 201) throw new Error(`entity: ${res.status} ${res.text}`);
  return res.json.id as string;
}

async function screen(key: string, entityId: string) {
  const res = await enrich(key, entityId, { integrationCodes: ["sanctions_screen"] });
  expect(res.status).toBe(200);
  const [result] = res.json.results;
  expect(result.success).toBe(true);
  return { data: result.result.enrichmentData as Screening, summary: result.result.summary as string };
}

describe("screening clearances", () => {
  beforeAll(async () => {
    await importSdnCsv(LIST, "two-entry test list");
  });

  it("clears a reviewed match for one entity, keeps it visible, and withdraws it", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    const viewer = await createKey(org.adminKey, "viewer");
    const id = await entity(member.key, "Johnathan Marlowe Quinceyfield");
    const twin = await entity(member.key, "Johnathan Quinceyfield");

    const before = await screen(member.key, id);
    expect(before.data).toMatchObject({ hit: true, riskLevel: "high", matches: [{ sdnId: 101, cleared: false, clearanceId: null }] });

    const body = { entityId: id, sdnId: 101, note: "Born 1988 in Leeds; reviewed against the passport" };
    expect((await call("POST", "/v1/screening/cleared", { key: viewer.key, body })).status).toBe(403);
    const created = await call("POST", "/v1/screening/cleared", { key: member.key, body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ entityId: id, sdnId: 101, note: body.note, createdByKeyId: member.id });
    const duplicate = await call("POST", "/v1/screening/cleared", { key: member.key, body });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error.code).toBe("CONFLICT");

    const after = await screen(member.key, id);
    expect(after.data).toMatchObject({ hit: false, riskLevel: "none", matches: [{ sdnId: 101, cleared: true, clearanceId: created.json.id }] });
    expect(after.summary).toBe("No SDN match (1 cleared)");
    const stored = await call("GET", `/v1/entities/${id}`, { key: member.key });
    expect(stored.json.enriched).toMatchObject({ sanctionsHit: { value: false }, sanctionsRiskLevel: { value: "none" } });
    // The clearance belongs to the reviewed entity only.
    expect((await screen(member.key, twin)).data).toMatchObject({ hit: true, matches: [{ sdnId: 101, cleared: false }] });

    const listed = await call("GET", `/v1/screening/cleared?entityId=${id}`, { key: viewer.key });
    expect(listed.status).toBe(200);
    expect(listed.json.data).toEqual([created.json]);
    expect((await call("GET", `/v1/screening/cleared?entityId=${twin}`, { key: viewer.key })).json.data).toEqual([]);

    const audit = await call("GET", "/v1/audit-log?action=screening.clearance_created", { key: org.adminKey });
    expect(audit.json.data).toHaveLength(1);
    expect(audit.json.data[0]).toMatchObject({ targetType: "entity", targetId: id, actorKeyId: member.id });

    expect((await call("DELETE", `/v1/screening/cleared/${created.json.id}`, { key: viewer.key })).status).toBe(403);
    expect((await call("DELETE", `/v1/screening/cleared/${created.json.id}`, { key: member.key })).status).toBe(204);
    expect((await call("DELETE", `/v1/screening/cleared/${created.json.id}`, { key: member.key })).status).toBe(404);
    const deletedAudit = await call("GET", "/v1/audit-log?action=screening.clearance_deleted", { key: org.adminKey });
    expect(deletedAudit.json.data).toHaveLength(1);
    expect((await screen(member.key, id)).data).toMatchObject({ hit: true, matches: [{ sdnId: 101, cleared: false }] });
  });

  it("answers 404 for another organization's entity or clearance and for an SDN id not on the list", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const aEntity = await entity(a.adminKey, "Johnathan Marlowe Quinceyfield");
    const bEntity = await entity(b.adminKey, "Johnathan Marlowe Quinceyfield");

    const foreign = await call("POST", "/v1/screening/cleared", { key: b.adminKey, body: { entityId: aEntity, sdnId: 101 } });
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.code).toBe("NOT_FOUND");
    const unlisted = await call("POST", "/v1/screening/cleared", { key: a.adminKey, body: { entityId: aEntity, sdnId: 999999 } });
    expect(unlisted.status).toBe(404);
    const invalid = await call("POST", "/v1/screening/cleared", { key: a.adminKey, body: { entityId: aEntity, sdnId: "101" } });
    expect(invalid.status).toBe(400);

    const mine = await call("POST", "/v1/screening/cleared", { key: a.adminKey, body: { entityId: aEntity, sdnId: 101 } });
    expect(mine.status).toBe(201);
    expect((await call("GET", `/v1/screening/cleared?entityId=${aEntity}`, { key: b.adminKey })).status).toBe(404);
    expect((await call("GET", "/v1/screening/cleared", { key: b.adminKey })).json.data).toEqual([]);
    expect((await call("DELETE", `/v1/screening/cleared/${mine.json.id}`, { key: b.adminKey })).status).toBe(404);
    // B's own entity of the same name is not cleared by A's review.
    expect((await screen(b.adminKey, bEntity)).data.hit).toBe(true);
    expect((await call("GET", "/v1/screening/cleared", { key: a.adminKey })).json.data).toHaveLength(1);
  });

  it("needs an API key", async () => {
    expect((await call("GET", "/v1/screening/cleared")).status).toBe(401);
    expect((await call("POST", "/v1/screening/cleared", { body: { entityId: "x", sdnId: 1 } })).status).toBe(401);
  });
});
