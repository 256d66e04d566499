import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { assertOutboundUrl } from "../../src/platform/lib/outbound-fetch";
import { socialProfileOf } from "../../src/providers/builtin/social-profiles";
import { webProfile } from "../../src/providers/builtin/web-profile";
import { builtinContext, companyInput, personInput } from "./context";

const site = (path: string) => `${env.FAKE_PROVIDER_URL}/websites/${path}`;
const profileOfCompany = (path: string, extra: Record<string, unknown> = {}) =>
  webProfile.execute(companyInput({ website: site(path), ...extra }), builtinContext());

describe("web_profile", () => {
  it("extracts a company's profile from its website", async () => {
    const out = await profileOfCompany("acme", { country: "GB" });
    expect(out.fields).toEqual({
      name: "Acme Widgets Ltd",
      description: "Acme makes widgets for industry & trade.",
      websiteTitle: "Acme Widgets & Co — Industrial widgets",
      canonicalUrl: `${env.FAKE_PROVIDER_URL}/about/`,
      language: "en-GB",
      logoUrl: `${env.FAKE_PROVIDER_URL}/img/logo.png`,
      linkedinUrl: "https://www.linkedin.com/company/acme-widgets",
      twitterUrl: "https://x.com/acmewidgets",
      githubUrl: "https://github.com/acme-widgets",
      facebookUrl: "https://www.facebook.com/acmewidgets",
      instagramUrl: "https://www.instagram.com/acme.widgets",
      youtubeUrl: "https://www.youtube.com/@acmewidgets",
      socialProfiles: {
        twitter: "https://x.com/acmewidgets",
        github: "https://github.com/acme-widgets",
        facebook: "https://www.facebook.com/acmewidgets",
        instagram: "https://www.instagram.com/acme.widgets",
        youtube: "https://www.youtube.com/@acmewidgets",
        linkedin: "https://www.linkedin.com/company/acme-widgets",
      },
      contactEmails: ["sales@acme-widgets.com", "press@acme-widgets.com"],
      contactPhones: ["+442079460018", "+442079460000", "+442079460123"],
      address: { streetAddress: "1 Widget Way", addressLocality: "London", postalCode: "EC1A 1BB", addressCountry: "GB" },
      technologies: ["WordPress", "Google Tag Manager", "HubSpot"],
    });
    expect(out.enrichmentData).toMatchObject({
      openGraph: { title: "Acme Widgets", site_name: "Acme Widgets", description: "Widgets, made well.", image: "https://acme-widgets.com/img/og.png" },
      twitterCard: { card: "summary_large_image", site: "@acmewidgets" },
      generator: "WordPress 6.5.2",
      organization: { type: "Organization", legalName: "Acme Widgets Limited" },
      truncated: false,
    });
    expect(out.dataQuality).toEqual({ completeness: 1, confidence: 0.9 });
  });

  it("reads national numbers in the company's country only when it knows one", async () => {
    const out = await profileOfCompany("acme");
    // Without a country (and no ccTLD on 127.0.0.1) only numbers written internationally are recognised.
    expect(out.fields.contactPhones).toEqual(["+442079460018", "+442079460000"]);
  });

  it("extracts a person's portfolio page", async () => {
    const input = personInput({ fullName: "Zoë Müller", country: "DE", custom: { website: site("portfolio") } });
    const out = await webProfile.execute(input, builtinContext());
    expect(out.fields).toMatchObject({
      name: "Zoë Müller",
      title: "Staff Engineer",
      photoUrl: `${env.FAKE_PROVIDER_URL}/me.jpg`,
      description: "I build distributed systems.",
      language: "de",
      githubUrl: "https://github.com/zoemuller",
      linkedinUrl: "https://www.linkedin.com/in/zoe-muller",
      contactEmails: ["zoe@zoemuller.dev"],
      contactPhones: ["+4915123456789"],
    });
    expect(out.fields).not.toHaveProperty("logoUrl");
  });

  it("follows up to 3 redirects and refuses a 4th", async () => {
    const three = await profileOfCompany("chain/3");
    expect(three.fields.name).toBe("Acme Widgets Ltd");
    expect(three.enrichmentData.url).toBe(site("chain/0"));
    await expect(profileOfCompany("chain/4")).rejects.toMatchObject({ code: "NO_DATA", message: expect.stringContaining("More than 3 redirects") });
  });

  it("refuses a redirect to a private or metadata address before requesting it", async () => {
    await expect(profileOfCompany("to-private")).rejects.toMatchObject({
      code: "NO_DATA",
      message: expect.stringContaining("Address range 'private' is not allowed"),
    });
    await expect(profileOfCompany("to-metadata")).rejects.toMatchObject({
      code: "NO_DATA",
      message: expect.stringContaining("Address range 'linkLocal' is not allowed"),
    });
  });

  it("refuses a website that is itself a private address", async () => {
    const out = webProfile.execute(companyInput({ website: "http://192.168.1.1/" }), builtinContext());
    await expect(out).rejects.toMatchObject({ code: "MISSING_INPUT", category: "validation" });
    expect(() => assertOutboundUrl("http://192.168.1.1/", { allowLoopback: true })).toThrow(/private/);
  });

  it("reads at most 2 MiB of a page", async () => {
    const out = await profileOfCompany("big");
    expect(out.fields).toMatchObject({ websiteTitle: "Big page", description: "A very long page." });
    expect(out.fields).not.toHaveProperty("githubUrl");
    expect(out.enrichmentData).toMatchObject({ truncated: true, bytesRead: 2 * 1024 * 1024 });
    expect(out.dataQuality.confidence).toBe(0.8);
  });

  it.each([
    ["pdf", { code: "NO_DATA", message: expect.stringContaining("application/pdf") }],
    ["gone", { code: "NO_DATA", category: "no_data" }],
    ["forbidden", { code: "HTTP_403", category: "provider_failure", retryable: false }],
    ["empty", { code: "NO_DATA", message: "The page had nothing to extract" }],
  ])("fails %s pages honestly", async (path, error) => {
    await expect(profileOfCompany(path)).rejects.toMatchObject(error);
  });

  it("stops when its time budget runs out", async () => {
    const controller = new AbortController();
    controller.abort();
    const out = webProfile.execute(companyInput({ website: site("acme") }), builtinContext({ signal: controller.signal }));
    await expect(out).rejects.toThrow();
  });

  it("uses https://domain when there is no website, and needs one of them", async () => {
    const key = webProfile.lookupKey(companyInput({ domain: "acme-widgets.com", country: "gb" }));
    expect(key).toBe(JSON.stringify(["company", "https://acme-widgets.com/", "GB"]));
    await expect(webProfile.execute(companyInput({ name: "Acme" }), builtinContext())).rejects.toMatchObject({ code: "MISSING_INPUT" });
  });
});

describe("social profile links", () => {
  it.each([
    ["https://www.linkedin.com/company/acme/about/?trk=x", "https://www.linkedin.com/company/acme"],
    ["https://uk.linkedin.com/in/jane-doe", "https://www.linkedin.com/in/jane-doe"],
    ["https://mobile.twitter.com/Jane_Doe?lang=en", "https://x.com/Jane_Doe"],
    ["https://x.com/acme/status/123", "https://x.com/acme"],
    ["https://github.com/orgs/acme/people", "https://github.com/acme"],
    ["https://m.facebook.com/profile.php?id=1234", "https://www.facebook.com/profile.php?id=1234"],
    ["https://www.youtube.com/channel/UC123", "https://www.youtube.com/channel/UC123"],
  ])("%s → %s", (href, url) => {
    expect(socialProfileOf(href)?.url).toBe(url);
  });

  it.each([
    "https://twitter.com/share?url=x",
    "https://twitter.com/intent/tweet",
    "https://www.facebook.com/sharer/sharer.php?u=x",
    "https://www.linkedin.com/shareArticle?url=x",
    "https://github.com/features/actions",
    "https://www.instagram.com/p/abc123/",
    "https://www.youtube.com/watch?v=abc",
    "https://notlinkedin.com/company/x",
    "javascript:alert(1)",
  ])("ignores %s", (href) => {
    expect(socialProfileOf(href)).toBeNull();
  });
});
