import { describe, expect, it } from "vitest";
import { emailDiscover } from "../../src/providers/builtin/email-discover";
import { inferPattern, patternShares, rankCandidates } from "../../src/providers/builtin/email-patterns";
import { personNameOf } from "../../src/providers/builtin/person-name";
import { call, createOrg } from "../helpers/api";
import { builtinContext, personInput } from "./context";

const discover = (attributes: Record<string, unknown>, orgId?: string) =>
  emailDiscover.execute(personInput(attributes), builtinContext({ orgId }));

async function addPerson(key: string, attributes: Record<string, unknown>) {
  const res = await call("POST", "/v1/entities", { key, body: { type: "person", attributes } });
  if (res.status !== 201) throw new Error(`create person: ${res.status} ${res.text}`);
}

describe("person names", () => {
  it.each([
    [{ firstName: "Zoë", lastName: "Łukasiewicz-O'Neill" }, ["zoe"], ["lukasiewiczoneill", "lukasiewicz-oneill", "lukasiewicz"]],
    [{ fullName: "Dr. Jan van der Berg Jr." }, ["jan"], ["vanderberg", "berg"]],
    [{ fullName: "Berg, Jan" }, ["jan"], ["berg"]],
    [{ fullName: "José García Márquez" }, ["jose"], ["marquez"]],
    [{ firstName: "Jean-Pierre", lastName: "García Márquez" }, ["jeanpierre", "jean-pierre", "jean"], ["garciamarquez", "garcia"]],
    [{ fullName: "Søren Kierkegaard" }, ["soren"], ["kierkegaard"]],
    [{ fullName: "Madonna" }, ["madonna"], []],
  ])("%j", (attributes, first, last) => {
    expect(personNameOf(attributes)).toEqual({ first, last });
  });

  it("has nothing to offer for names without Latin letters", () => {
    expect(personNameOf({ fullName: "王伟" })).toBeNull();
  });
});

describe("address formats", () => {
  const jan = { first: ["jan"], last: ["vanderberg", "berg"] };

  it("infers the format of a known address from any written form of the name", () => {
    expect(inferPattern("jan.vanderberg", jan)).toBe("first.last");
    expect(inferPattern("jberg", jan)).toBe("flast");
    expect(inferPattern("berg.jan+news", jan)).toBe("last.first");
    expect(inferPattern("jan", jan)).toBe("first");
    expect(inferPattern("office", jan)).toBeNull();
  });

  it("lets observed addresses outweigh the prior", () => {
    const prior = patternShares({}, {});
    expect(rankCandidates(jan, prior)[0]?.localPart).toBe("jan.vanderberg");
    const learned = patternShares({ flast: 3 }, {});
    expect(rankCandidates(jan, learned)[0]).toMatchObject({ localPart: "jvanderberg", pattern: "flast" });
    expect(Object.values(learned).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
});

describe("email_discover", () => {
  it("falls back to common formats when nothing is known about the domain", async () => {
    const out = await discover({ fullName: "Jan van der Berg", companyDomain: "umbrella-corp.com" });
    expect(out.fields.email).toBe("jan.vanderberg@umbrella-corp.com");
    const candidates = out.fields.emailCandidates as { email: string; pattern: string; confidence: number }[];
    expect(candidates.map((c) => c.email).slice(0, 3)).toEqual([
      "jan.vanderberg@umbrella-corp.com",
      "jan@umbrella-corp.com",
      "jvanderberg@umbrella-corp.com",
    ]);
    expect(candidates[0]?.confidence).toBeCloseTo(0.3);
    expect(out.enrichmentData.evidence).toMatchObject({ basis: "prior", organizationAddresses: 0, globalAddresses: 0, mailDomain: { status: "mx" } });
    expect(out.dataQuality.confidence).toBeCloseTo(0.3);
  });

  it("ranks by the format the organization's own people use, and shares the format (not the addresses) globally", async () => {
    const org = await createOrg();
    await addPerson(org.adminKey, { firstName: "Peter", lastName: "Gibbons", email: "pgibbons@initech.io" });
    await addPerson(org.adminKey, { firstName: "Michael", lastName: "Bolton", email: "mbolton@initech.io" });
    await addPerson(org.adminKey, { firstName: "Bill", lastName: "Lumbergh", email: "bill@other-domain.com" });
    await addPerson(org.adminKey, { fullName: "Nobody Inparticular", email: "info@initech.io" });

    const own = await discover({ firstName: "Samir", lastName: "Nagheenanajar", companyDomain: "https://www.initech.io/about" }, org.orgId);
    expect(own.fields.email).toBe("snagheenanajar@initech.io");
    expect(own.enrichmentData.evidence).toMatchObject({
      basis: "organization",
      organizationAddresses: 2,
      globalAddresses: 2,
      organizationPatternCounts: { flast: 2 },
    });
    expect(own.dataQuality.confidence).toBeGreaterThan(0.6);

    // Another organization benefits from the learned format without seeing anyone's address.
    const other = await discover({ firstName: "Milton", lastName: "Waddams", companyDomain: "initech.io" });
    expect(other.fields.email).toBe("mwaddams@initech.io");
    expect(other.enrichmentData.evidence).toMatchObject({ basis: "global", organizationAddresses: 0, globalAddresses: 2 });
    expect(JSON.stringify(other.enrichmentData)).not.toContain("gibbons");
    expect(other.dataQuality.confidence).toBeLessThan(own.dataQuality.confidence);

    // Seeing the same addresses again does not count them twice.
    const again = await discover({ firstName: "Samir", lastName: "Nagheenanajar", companyDomain: "initech.io" }, org.orgId);
    expect(again.enrichmentData.evidence).toMatchObject({ globalAddresses: 2 });
  });

  it("writes diacritics, apostrophes and hyphens the way mail systems do", async () => {
    const out = await discover({ firstName: "Zoë", lastName: "Łukasiewicz-O'Neill", companyDomain: "hooli.com" });
    const emails = (out.fields.emailCandidates as { email: string }[]).map((c) => c.email);
    expect(out.fields.email).toBe("zoe.lukasiewiczoneill@hooli.com");
    expect(emails).toContain("zlukasiewiczoneill@hooli.com");
    expect(out.enrichmentData.candidates).toEqual(expect.arrayContaining([expect.objectContaining({ email: "zoe.lukasiewicz-oneill@hooli.com" })]));
  });

  it("offers first-name formats only when the family name is unknown", async () => {
    const out = await discover({ fullName: "Madonna", companyDomain: "hooli.com" });
    expect(out.fields.email).toBe("madonna@hooli.com");
    expect(out.dataQuality.completeness).toBe(0.5);
  });

  it("still answers, less sure, when the domain's DNS fails", async () => {
    const out = await discover({ fullName: "Jan Berg", companyDomain: "servfail.net" });
    expect(out.fields.email).toBe("jan.berg@servfail.net");
    expect(out.dataQuality.confidence).toBeCloseTo(0.3 * 0.7);
    expect(out.cacheTtlSeconds).toBe(0);
  });

  it("still answers, less sure and uncached, when the resolver itself fails, saying why", async () => {
    const out = await discover({ fullName: "Jan Berg", companyDomain: "resolver-500.net" });
    expect(out.fields.email).toBe("jan.berg@resolver-500.net");
    expect(out.cacheTtlSeconds).toBe(0);
    expect(out.enrichmentData.evidence).toMatchObject({ mailDomain: { status: "dns_failure", failure: "the resolver answered HTTP 500" } });
  });

  it.each([
    ["gmail.com", /free-mail/],
    ["mailinator.com", /disposable/],
    ["does-not-exist.com", /accepts no mail \(nxdomain\)/],
    ["nullmx.org", /accepts no mail \(null_mx\)/],
  ])("answers NO_DATA for %s", async (companyDomain, message) => {
    await expect(discover({ fullName: "Jan Berg", companyDomain })).rejects.toMatchObject({ code: "NO_DATA", message: expect.stringMatching(message) });
  });

  it("needs a usable name and a domain", async () => {
    await expect(discover({ fullName: "王伟", companyDomain: "hooli.com" })).rejects.toMatchObject({ code: "MISSING_INPUT" });
    await expect(discover({ fullName: "Jan Berg" })).rejects.toMatchObject({ code: "MISSING_INPUT" });
  });

  it("caches by normalized name and registrable domain", () => {
    const key = (attributes: Record<string, unknown>) => emailDiscover.lookupKey(personInput(attributes));
    expect(key({ firstName: "Zoë", lastName: "Berg", companyDomain: "www.hooli.com" })).toBe(key({ fullName: "ZOE  BERG", companyDomain: "eu.hooli.com" }));
    expect(key({ fullName: "Zoe Berg", companyDomain: "hooli.com" })).not.toBe(key({ fullName: "Zoe Berg", companyDomain: "initech.io" }));
    expect(emailDiscover.cache?.scope).toBe("organization");
  });
});
