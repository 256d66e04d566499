import { describe, expect, it } from "vitest";
import { phoneNormalize } from "../../src/providers/builtin/phone-normalize";
import { builtinContext, personInput } from "./context";

const run = (attributes: Record<string, unknown>) => phoneNormalize.execute(personInput(attributes), builtinContext());

describe("phone_normalize", () => {
  it("reads a national number in the entity's country", async () => {
    const out = await run({ phone: "020 7946 0018", country: "GB" });
    expect(out.fields).toEqual({
      phoneE164: "+442079460018",
      phoneNational: "020 7946 0018",
      phoneInternational: "+44 20 7946 0018",
      phoneCountry: "GB",
      phoneLineType: "fixed_line",
      phoneValid: true,
    });
    expect(out.enrichmentData).toMatchObject({ defaultRegion: "GB", countryCallingCode: "44", nationalNumber: "2079460018" });
    expect(out.dataQuality).toEqual({ completeness: 1, confidence: 1 });
  });

  it("tells mobile numbers apart and keeps extensions", async () => {
    const mobile = await run({ phone: "+49 151 23456789" });
    expect(mobile.fields).toMatchObject({ phoneE164: "+4915123456789", phoneCountry: "DE", phoneLineType: "mobile" });
    const tollFree = await run({ phone: "(800) 555-0199", country: "US" });
    expect(tollFree.fields).toMatchObject({ phoneE164: "+18005550199", phoneLineType: "toll_free" });
    const withExt = await run({ phone: "+1 212-555-0142 ext. 7", country: "US" });
    expect(withExt.enrichmentData).toMatchObject({ e164: "+12125550142", extension: "7" });
  });

  it("an international number ignores the default region", async () => {
    const out = await run({ phone: "+33 1 42 68 53 00", country: "GB" });
    expect(out.fields).toMatchObject({ phoneE164: "+33142685300", phoneCountry: "FR" });
  });

  it("answers invalid and unparseable numbers as such, without formats", async () => {
    const invalid = await run({ phone: "+1 123 456 7890" });
    expect(invalid.fields).toEqual({ phoneValid: false });
    expect(invalid.enrichmentData).toMatchObject({ parsed: true, valid: false });
    const junk = await run({ phone: "call me maybe" });
    expect(junk.fields).toEqual({ phoneValid: false });
    expect(junk.enrichmentData).toMatchObject({ parsed: false });
    // A national number with no country to read it in cannot be parsed.
    const noRegion = await run({ phone: "020 7946 0018" });
    expect(noRegion.enrichmentData).toMatchObject({ parsed: false, defaultRegion: null });
  });

  it("caches by E.164 whatever the spelling, and by raw input and region when unparseable", () => {
    const key = (attributes: Record<string, unknown>) => phoneNormalize.lookupKey(personInput(attributes));
    expect(key({ phone: "020 7946 0018", country: "GB" })).toBe("+442079460018");
    expect(key({ phone: "+44 (0)20 7946-0018", country: "US" })).toBe("+442079460018");
    expect(key({ phone: "020 7946 0018" })).toBe("raw:020 7946 0018|");
    expect(key({ phone: "nope", country: "FR" })).toBe("raw:nope|FR");
  });

  it("needs a phone", async () => {
    await expect(run({ country: "GB" })).rejects.toMatchObject({ code: "MISSING_INPUT", category: "validation" });
  });
});
