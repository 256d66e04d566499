import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/platform/db/client";
import { readSettings } from "../../src/platform/env";
import { createSafeFetch } from "../../src/platform/lib/outbound-fetch";
import { sanctionsScreen } from "../../src/features/screening/integration";
import type { IntegrationContext, IntegrationInput } from "../../src/providers/types";
import { call, createOrg } from "../helpers/api";
import { enrich } from "../helpers/enrichment";
import { importSdnCsv, realSdnCsv } from "./helpers";

interface Match {
  sdnId: number;
  name: string;
  matchedName: string;
  score: number;
  type: string;
  programs: string[];
  remarks: string | null;
  cleared: boolean;
  explanation: {
    name: { score: number; nameKind: string; weakAlias: boolean };
    dateOfBirth: { result: string; adjustment: number };
    country: { result: string; adjustment: number };
  };
}
interface Screening {
  hit: boolean;
  riskLevel: string;
  matches: Match[];
}

function context(config: Record<string, unknown> = {}): IntegrationContext {
  const signal = AbortSignal.timeout(15_000);
  return {
    env,
    settings: readSettings(env),
    db: createDb(env.DB),
    orgId: `org_${crypto.randomUUID()}`,
    config,
    credentials: {},
    signal,
    fetch: createSafeFetch({ allowLoopback: true }, { signal }),
  };
}

const input = (entityType: "person" | "company", attributes: Record<string, unknown>): IntegrationInput => ({
  entityId: crypto.randomUUID(),
  entityType,
  attributes,
  params: {},
});

async function screen(entityType: "person" | "company", attributes: Record<string, unknown>, config = {}) {
  const out = await sanctionsScreen.execute(input(entityType, attributes), context(config));
  return { ...(out.enrichmentData as unknown as Screening), out };
}

const top = (s: Screening) => s.matches[0];

describe("sanctions_screen against the real SDN list", () => {
  beforeAll(async () => {
    await importSdnCsv(await realSdnCsv(), "ofac-sdn-2024-05-03.csv");
  }, 120_000);

  it("finds an exact name and answers the documented shape", async () => {
    const s = await screen("person", { fullName: "Nicolas Maduro Moros" });
    expect(s.hit).toBe(true);
    expect(s.riskLevel).toBe("high");
    expect(top(s)).toMatchObject({
      sdnId: 22790,
      name: "MADURO MOROS, Nicolas",
      matchedName: "MADURO MOROS, Nicolas",
      score: 1,
      type: "individual",
      programs: ["VENEZUELA", "IRAN-CON-ARMS-EO"],
      cleared: false,
      explanation: { name: { score: 1, nameKind: "primary", weakAlias: false }, dateOfBirth: { result: "unknown" }, country: { result: "unknown" } },
    });
    expect(top(s)?.remarks).toContain("DOB 23 Nov 1962");
    expect(s.out.fields).toEqual({ sanctionsHit: true, sanctionsRiskLevel: "high" });
    expect(s.out.summary).toContain("MADURO MOROS, Nicolas");
  });

  it.each([
    ["swapped order", "Moros Nicolas Maduro", 22790],
    ["surname first with a comma", "Maduro Moros, Nicolás", 22790],
    ["diacritics", "Nicolás Maduro Moròs", 22790],
    ["honorific", "Dr. Ayman al-Zawahiri", 2676],
    ["one-letter typo", "Ayman al Zawahri", 2676],
    ["typo in a rare surname", "Jaime Arturo Ladina Avila", 11237],
    ["joined particle", "Ayman Alzawahiri", 2676],
    ["missing patronymic", "Pavel Yakovlev", 48875],
  ])("finds the listed person despite a %s (%s)", async (_what, fullName, sdnId) => {
    const s = await screen("person", { fullName });
    expect(s.hit).toBe(true);
    expect(s.matches.map((m) => m.sdnId)).toContain(sdnId);
    expect(top(s)?.score).toBeGreaterThanOrEqual(0.85);
  });

  it("finds a person by a weak alias and says so", async () => {
    const s = await screen("person", { fullName: "El Ojon" });
    const match = s.matches.find((m) => m.sdnId === 11237);
    expect(match).toMatchObject({ name: "LADINO AVILA, Jaime Arturo", matchedName: "EL OJON", explanation: { name: { nameKind: "aka", weakAlias: true } } });
    expect(match?.score).toBeLessThan(1);
  });

  it("raises the score when the date of birth or country agree, and lowers it on another birth date", async () => {
    const name = { fullName: "Jaime Ladino" };
    const plain = (await screen("person", name, { threshold: 0.5 })).matches.find((m) => m.sdnId === 11237);
    const withDob = (await screen("person", { ...name, dateOfBirth: "1964-07-24" }, { threshold: 0.5 })).matches.find((m) => m.sdnId === 11237);
    const withCountry = (await screen("person", { ...name, country: "MX" }, { threshold: 0.5 })).matches.find((m) => m.sdnId === 11237);
    const otherDob = (await screen("person", { ...name, dateOfBirth: "1990-02-02" }, { threshold: 0.5 })).matches.find((m) => m.sdnId === 11237);
    if (!plain || !withDob || !withCountry || !otherDob) throw new Error("expected 11237 among the matches");
    expect(withDob.score).toBeCloseTo(plain.score + 0.08, 3);
    expect(withDob.explanation.dateOfBirth).toMatchObject({ result: "match", adjustment: 0.08 });
    expect(withCountry.score).toBeCloseTo(plain.score + 0.04, 3);
    expect(withCountry.explanation.country).toMatchObject({ result: "match", adjustment: 0.04 });
    expect(otherDob.score).toBeCloseTo(plain.score - 0.15, 3);
    expect(otherDob.explanation.dateOfBirth.result).toBe("mismatch");
  });

  it("lets an agreeing date of birth and country lift a partial name over the threshold", async () => {
    const name = { fullName: "Nicolas Maduro" };
    const plain = (await screen("person", name, { threshold: 0.5 })).matches.find((m) => m.sdnId === 22790);
    if (!plain) throw new Error("expected 22790 among the matches");
    const threshold = Math.min(1, plain.score + 0.06);
    const without = await screen("person", name, { threshold });
    const withEvidence = await screen("person", { ...name, dateOfBirth: "1962-11-23", country: "VE" }, { threshold });
    expect(without.matches.map((m) => m.sdnId)).not.toContain(22790);
    expect(withEvidence.matches.map((m) => m.sdnId)).toContain(22790);
  });

  it.each([
    "John Smith",
    "Emma Johnson",
    "Michael Brown",
    "Anna Schmidt",
    "Olivia Martinez",
    "Hiroshi Tanaka",
    "Priya Sharma",
    "Lars Jensen",
  ])("does not raise a hit for a common name (%s)", async (fullName) => {
    const s = await screen("person", { fullName });
    expect(s).toMatchObject({ hit: false, riskLevel: "none", matches: [] });
    expect(s.out.fields).toEqual({ sanctionsHit: false, sanctionsRiskLevel: "none" });
  });

  it("screens companies against entities and vessels, never against individuals", async () => {
    const bank = await screen("company", { name: "Banco Nacional de Cuba S.A." });
    expect(top(bank)).toMatchObject({ sdnId: 306, type: "entity", score: 1 });
    const vessel = await screen("company", { name: "Ebano" });
    expect(top(vessel)).toMatchObject({ sdnId: 4243, type: "vessel" });
    const typo = await screen("company", { name: "Banko Nacional de Cuba" });
    expect(top(typo)?.sdnId).toBe(306);
    const personNamedLikeABank = await screen("person", { fullName: "Banco Nacional de Cuba" });
    expect(personNamedLikeABank.matches.map((m) => m.sdnId)).not.toContain(306);
    const companyNamedLikeAPerson = await screen("company", { name: "Nicolas Maduro Moros" });
    expect(companyNamedLikeAPerson.matches.map((m) => m.sdnId)).not.toContain(22790);
    const unrelated = await screen("company", { name: "Northwind Bakery GmbH" });
    expect(unrelated.hit).toBe(false);
  });

  it("honours the configured threshold and match count", async () => {
    const loose = await screen("person", { fullName: "Mohammad Ali" }, { threshold: 0.6, maxMatches: 3 });
    expect(loose.matches.length).toBeLessThanOrEqual(3);
    for (const m of loose.matches) expect(m.score).toBeGreaterThanOrEqual(0.6);
    const strict = await screen("person", { fullName: "Ayman al Zawahri" }, { threshold: 0.99 });
    expect(strict.hit).toBe(false);
  });

  it("runs through POST /v1/entities/:id/enrichments, enabled by default, charging one credit", async () => {
    const org = await createOrg({ billingMode: "prepaid", initialCredits: 5 });
    const created = await call("POST", "/v1/entities", {
      key: org.adminKey,
      body: { type: "person", attributes: { firstName: "Nicolas", lastName: "Maduro Moros", dateOfBirth: "1962-11-23", country: "VE" } },
    });
    const res = await enrich(org.adminKey, created.json.id, { integrationCodes: ["sanctions_screen"] });
    expect(res.status).toBe(200);
    const [result] = res.json.results;
    expect(result).toMatchObject({ success: true, cached: false, credits: 1, integrationCode: "sanctions_screen" });
    expect(result.result.enrichmentData).toMatchObject({ hit: true, riskLevel: "high", list: { source: "ofac-sdn-2024-05-03.csv", entries: 14965 } });
    expect(result.result.enrichmentData.matches[0]).toMatchObject({
      sdnId: 22790,
      explanation: { dateOfBirth: { result: "match" }, country: { result: "match" } },
    });
    const entity = await call("GET", `/v1/entities/${created.json.id}`, { key: org.adminKey });
    expect(entity.json.enriched).toMatchObject({ sanctionsHit: { value: true, source: "sanctions_screen" }, sanctionsRiskLevel: { value: "high" } });
    expect((await call("GET", "/v1/credits", { key: org.adminKey })).json.creditBalance).toBe(4);
    const again = await enrich(org.adminKey, created.json.id, { integrationCodes: ["sanctions_screen"] });
    expect(again.json.results[0]).toMatchObject({ success: true, cached: false });
  });

  it("refuses a name with nothing to screen", async () => {
    await expect(sanctionsScreen.execute(input("person", { fullName: "-- ?? --" }), context())).rejects.toMatchObject({ code: "MISSING_INPUT" });
  });

  it("fails MISSING_INPUT for a company without a name", async () => {
    const org = await createOrg();
    const created = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "company", attributes: { domain: "example.com" } } });
    const res = await enrich(org.adminKey, created.json.id, { integrationCodes: ["sanctions_screen"] });
    expect(res.json.results[0]).toMatchObject({ success: false, credits: 0, error: { code: "MISSING_INPUT" } });
  });
});
