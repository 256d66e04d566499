import { describe, expect, it } from "vitest";
import { countryEvidence, dateOfBirthEvidence } from "../../src/features/screening/matching/match-evidence";
import { foldName, tokenizeName } from "../../src/features/screening/matching/normalize-name";
import { parseListedDate } from "../../src/features/screening/matching/remarks";
import { scoreName } from "../../src/features/screening/matching/score-name";
import { deletionKeys, jaroWinkler, osaDistance } from "../../src/features/screening/matching/similarity";

const person = (a: string, b: string) => scoreName(tokenizeName(a, "person").tokens, tokenizeName(b, "person").tokens, "person").score;
const company = (a: string, b: string) =>
  scoreName(tokenizeName(a, "organization").tokens, tokenizeName(b, "organization").tokens, "organization").score;
const listed = (...raw: string[]) => raw.map((r) => parseListedDate(r)).filter((d) => d !== null);

describe("string similarity", () => {
  it("computes Jaro-Winkler as published (Winkler 1990 examples)", () => {
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("dwayne", "duane")).toBeCloseTo(0.84, 3);
    expect(jaroWinkler("dixon", "dicksonx")).toBeCloseTo(0.813, 3);
    expect(jaroWinkler("abc", "xyz")).toBe(0);
    expect(jaroWinkler("same", "same")).toBe(1);
  });

  it("counts edits with adjacent transpositions as one", () => {
    expect(osaDistance("ladin", "ladni")).toBe(1);
    expect(osaDistance("usama", "osama")).toBe(1);
    expect(osaDistance("kitten", "sitting")).toBe(3);
  });

  it("gives tokens one edit apart a shared deletion key", () => {
    const shared = (a: string, b: string) => deletionKeys(a).some((k) => deletionKeys(b).includes(k));
    expect(shared("zawahiri", "zawahri")).toBe(true);
    expect(shared("zawahiri", "zawahiry")).toBe(true);
    expect(shared("zawahiri", "zawaihri")).toBe(true);
    expect(shared("zawahiri", "zuwahiry")).toBe(false);
    expect(deletionKeys("ali")).toEqual(["ali"]);
  });
});

describe("name normalization", () => {
  it("folds case, diacritics, punctuation and special letters", () => {
    expect(foldName("  Çağrı  Öztürk-Şahin ")).toBe("cagri ozturk sahin");
    expect(foldName("O'Brien & Søn, S.A.")).toBe("obrien and son sa");
    expect(foldName("Straße Łódź")).toBe("strasse lodz");
  });

  it("turns 'LAST, First' around and drops titles only where titles are written", () => {
    expect(tokenizeName("AL ZAWAHIRI, Dr. Ayman", "person").tokens).toEqual(["ayman", "al", "zawahiri"]);
    expect(tokenizeName("Sheikh Dr Ayman al-Zawahiri Jr.", "person").tokens).toEqual(["ayman", "al", "zawahiri"]);
    expect(tokenizeName("SHEIKH, Muhammad", "person").tokens).toEqual(["muhammad", "sheikh"]);
  });

  it("keeps organization legal forms out of the lookup tokens, also when mistyped", () => {
    expect(tokenizeName("ANGLO-CARIBBEAN CO., LTD.", "organization")).toEqual({
      tokens: ["anglo", "caribbean", "co", "ltd"],
      searchable: ["anglo", "caribbean"],
    });
    expect(tokenizeName("Kvazar Limited Liabilty Company", "organization").searchable).toEqual(["kvazar"]);
    expect(tokenizeName("CIMEX, S.A.", "organization").tokens).toEqual(["cimex", "sa"]);
  });
});

describe("name scoring", () => {
  it("scores identical names, swapped order and missing diacritics as equal", () => {
    expect(person("Nicolas Maduro Moros", "MADURO MOROS, Nicolas")).toBe(1);
    expect(person("Moros Nicolás Maduro", "MADURO MOROS, Nicolas")).toBe(1);
    expect(person("Mr. Nicolas MADURO MOROS", "MADURO MOROS, Nicolas")).toBe(1);
  });

  it("stays high for a one-letter typo and a hyphenated or joined particle", () => {
    expect(person("Nicolas Maduro Moras", "MADURO MOROS, Nicolas")).toBeGreaterThan(0.9);
    expect(person("Ayman Alzawahiri", "AL ZAWAHIRI, Dr. Ayman")).toBeGreaterThan(0.95);
    expect(person("Ayman al-Zawahiri", "AL ZAWAHIRI, Dr. Ayman")).toBe(1);
  });

  it("tolerates a missing patronymic but not a single shared name", () => {
    expect(person("Pavel Yakovlev", "YAKOVLEV, Pavel Alexandrovich")).toBeGreaterThan(0.85);
    expect(person("Pavel Smirnov", "YAKOVLEV, Pavel Alexandrovich")).toBeLessThan(0.8);
    expect(person("Maduro", "MADURO MOROS, Nicolas")).toBeLessThan(0.8);
    expect(person("Li Martin", "MARTIN")).toBeLessThan(0.8);
  });

  it("does not match clearly different names", () => {
    expect(person("John Smith", "MADURO MOROS, Nicolas")).toBe(0);
    expect(person("Ivan Petrov", "IVANOV, Petr")).toBeLessThan(0.85);
    expect(company("Northwind Trading Ltd", "SOUTHWIND TRADING LTD")).toBeLessThan(0.85);
  });

  it("ignores legal forms when comparing organizations", () => {
    expect(company("Banco Nacional de Cuba S.A.", "BANCO NACIONAL DE CUBA")).toBe(1);
    expect(company("Clearwater Travel Pty Ltd", "S&C TRADE PTY CO., LTD")).toBeLessThan(0.5);
  });
});

describe("date of birth and country evidence", () => {
  it("agrees at the precision both sides have", () => {
    expect(dateOfBirthEvidence("1964-07-24", listed("26 Aug 1962", "24 Jul 1964"))).toMatchObject({ result: "match", precision: "day", adjustment: 0.08 });
    expect(dateOfBirthEvidence("1964", listed("24 Jul 1964"))).toMatchObject({ result: "partial", precision: "year", adjustment: 0.04 });
    expect(dateOfBirthEvidence("1961-04-02", listed("Apr 1961"))).toMatchObject({ result: "partial", precision: "month" });
    expect(dateOfBirthEvidence("1952-05-01", listed("1951 to 1953"))).toMatchObject({ result: "partial", precision: "year" });
    expect(dateOfBirthEvidence("1950", listed("circa 1951"))).toMatchObject({ result: "partial" });
  });

  it("lowers the score when the date contradicts every listed one", () => {
    expect(dateOfBirthEvidence("1980-01-01", listed("24 Jul 1964", "1951 to 1953"))).toMatchObject({ result: "mismatch", adjustment: -0.15 });
    expect(dateOfBirthEvidence("1964-07-25", listed("24 Jul 1964"))).toMatchObject({ result: "mismatch", adjustment: -0.05 });
    expect(dateOfBirthEvidence(undefined, listed("24 Jul 1964"))).toMatchObject({ result: "unknown", adjustment: 0 });
    expect(dateOfBirthEvidence("1964-07-24", [])).toMatchObject({ result: "unknown", adjustment: 0 });
  });

  it("raises on an agreeing country and never lowers on another one", () => {
    expect(countryEvidence("mx", ["MX"])).toMatchObject({ result: "match", query: "MX", adjustment: 0.04 });
    expect(countryEvidence("US", ["MX"])).toMatchObject({ result: "no_match", adjustment: 0 });
    expect(countryEvidence(undefined, ["MX"])).toMatchObject({ result: "unknown", adjustment: 0 });
  });
});
