import { beforeAll, describe, expect, it } from "vitest";
import { countryCode, countryOfPlace } from "../../src/features/screening/matching/countries";
import { type ParsedSdnList, type SdnEntry, SdnFormatError, parseSdnCsv } from "../../src/features/screening/matching/parse-sdn-csv";
import { parseListedDate, parseRemarks } from "../../src/features/screening/matching/remarks";
import { realSdnCsv, sdnRow } from "./helpers";

describe("SDN.CSV parser on the real list (2024-05-03)", () => {
  let list: ParsedSdnList;
  const entry = (id: number): SdnEntry => {
    const found = list.entries.find((e) => e.sdnId === id);
    if (!found) throw new Error(`entry ${id} not parsed`);
    return found;
  };

  beforeAll(async () => {
    list = parseSdnCsv(await realSdnCsv());
  });

  it("reads every record and skips only OFAC's end-of-file marker", () => {
    expect(list.entries).toHaveLength(14965);
    expect(list.skippedRows).toBe(1);
    const types = new Map<string, number>();
    for (const e of list.entries) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    expect(Object.fromEntries(types)).toEqual({ entity: 6884, individual: 6854, vessel: 851, aircraft: 376 });
  });

  it("parses an individual's weak aliases, dates of birth, nationality and document countries", () => {
    const ladino = entry(11237);
    expect(ladino).toMatchObject({ name: "LADINO AVILA, Jaime Arturo", type: "individual", programs: ["SDNTK"] });
    expect(ladino.aliases).toEqual([
      { name: "EL OJON", kind: "aka", quality: "weak" },
      { name: "FAYO", kind: "aka", quality: "weak" },
    ]);
    expect(ladino.datesOfBirth.map((d) => d.from)).toEqual(["1964-07-24", "1962-08-26", "1964-11-13"]);
    expect(ladino.nationalities).toEqual(["Mexico"]);
    expect(ladino.citizenships).toEqual(["Mexico"]);
    expect(ladino.countries).toEqual(["MX"]);
  });

  it("keeps apostrophes inside aliases and reads places of birth", () => {
    expect(entry(3754).aliases).toEqual([{ name: "ABU-'UMAR", kind: "aka", quality: "weak" }]);
    const zawahiri = entry(2676);
    expect(zawahiri.name).toBe("AL ZAWAHIRI, Dr. Ayman");
    expect(zawahiri.datesOfBirth).toEqual([{ raw: "19 Jun 1951", from: "1951-06-19", to: "1951-06-19", circa: false }]);
    expect(zawahiri.placesOfBirth).toEqual(["Giza, Egypt"]);
    expect(zawahiri.countries).toContain("EG");
  });

  it("splits several programs and reads citizenship and gender", () => {
    const maduro = entry(22790);
    expect(maduro.programs).toEqual(["VENEZUELA", "IRAN-CON-ARMS-EO"]);
    expect(maduro.title).toBe("President of the Bolivarian Republic of Venezuela");
    expect(maduro.citizenships).toEqual(["Venezuela"]);
    expect(maduro.gender).toBe("male");
    expect(maduro.countries).toContain("VE");
  });

  it("reads ranges, approximations and month-only dates of birth", () => {
    expect(entry(12057).datesOfBirth.map((d) => [d.from, d.to, d.circa])).toEqual([
      ["1951", "1953", false],
      ["1960", "1962", false],
      ["1961-04", "1961-04", false],
      ["1953", "1953", false],
    ]);
    expect(entry(7782).datesOfBirth).toEqual([{ raw: "circa 1951", from: "1951", to: "1951", circa: true }]);
    expect(entry(11648).countries).toContain("KP");
  });

  it("parses vessels with their former names, entities with n.k.a., and aircraft", () => {
    const ebano = entry(4243);
    expect(ebano.type).toBe("vessel");
    expect(ebano.vessel).toMatchObject({ type: "General Cargo", tonnage: "2595", grossRegisteredTonnage: "1865", flag: "Panama" });
    expect(ebano.aliases.map((a) => [a.kind, a.name])).toEqual([
      ["fka", "ANA I"],
      ["fka", "SAND SWAN"],
    ]);
    expect(entry(41920).aliases).toEqual([{ name: "LGOK", kind: "nka", quality: "weak" }]);
    expect(entry(41920).countries).toEqual(["RU"]);
    expect(entry(306)).toMatchObject({ name: "BANCO NACIONAL DE CUBA", type: "entity", programs: ["CUBA"], vessel: null });
    expect(entry(15431)).toMatchObject({ name: "EP-GOM", type: "aircraft" });
  });

  it("finds the weak aliases of the whole list", () => {
    const aliases = list.entries.reduce((n, e) => n + e.aliases.length, 0);
    expect(aliases).toBeGreaterThan(3600);
    expect(list.entries.filter((e) => e.type === "individual" && e.datesOfBirth.length > 0).length).toBeGreaterThan(6500);
  });
});

describe("SDN.CSV parser on edge cases", () => {
  it("handles quoted commas and quotes, empty markers and a BOM", () => {
    const csv = `\uFEFF${sdnRow(1, 'ACME "NORTH", LTD.', null, "SDGT", "a.k.a. 'ACME N'; Registration Number 123 (Cyprus).")}\r\n`;
    const { entries } = parseSdnCsv(csv);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ sdnId: 1, name: 'ACME "NORTH", LTD.', type: "entity", title: null, countries: ["CY"] });
    expect(entries[0]?.aliases).toEqual([{ name: "ACME N", kind: "aka", quality: "weak" }]);
  });

  it("rejects files that are not SDN.CSV", () => {
    expect(() => parseSdnCsv("name,email\nada,ada@example.com\n")).toThrow(SdnFormatError);
    expect(() => parseSdnCsv("")).toThrow(SdnFormatError);
  });

  it("reads dates and remarks defensively", () => {
    expect(parseListedDate("circa 1979-1981")).toMatchObject({ from: "1979", to: "1981", circa: true });
    expect(parseListedDate("10 Dec 1948 to 12 Dec 1948")).toMatchObject({ from: "1948-12-10", to: "1948-12-12" });
    expect(parseListedDate("sometime")).toBeNull();
    expect(parseRemarks(null).aliases).toEqual([]);
    expect(parseRemarks("DOB 1960; POB Pyongyang, Korea, North; alt. nationality Burma.").countries).toEqual(["KP", "MM"]);
  });

  it("maps the list's country names to ISO codes", () => {
    expect(countryCode("Korea, North")).toBe("KP");
    expect(countryCode("Congo, Democratic Republic of the")).toBe("CD");
    expect(countryCode("Russia")).toBe("RU");
    expect(countryCode("Germany")).toBe("DE");
    expect(countryCode("Atlantis")).toBeNull();
    expect(countryOfPlace("Port Moresby, Papua New Guinea")).toBe("PG");
    expect(countryOfPlace("Conakry, Guinea")).toBe("GN");
    expect(countryOfPlace("Yubna, Gaza (Palestinian Authority)")).toBe("PS");
  });
});
