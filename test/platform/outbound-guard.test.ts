import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { OutboundUrlError, assertOutboundUrl, createSafeFetch } from "../../src/platform/lib/outbound-fetch";

const strict = { allowLoopback: false };
const loopbackAllowed = { allowLoopback: true };

describe("assertOutboundUrl (called directly; nothing is fetched)", () => {
  it.each(["https://example.com/path?q=1", "http://api.example.co.uk:8080/", "https://93.184.216.34/", "https://[2606:4700::1111]/"])(
    "accepts the public URL %s",
    (url) => {
      expect(assertOutboundUrl(url, strict).toString()).toBe(new URL(url).toString());
    },
  );

  it.each([
    ["ftp://example.com/file", /Scheme/],
    ["file:///etc/passwd", /Scheme/],
    ["javascript:alert(1)", /Scheme/],
    ["https://user:pass@example.com/", /Credentials/],
    ["https://token@example.com/", /Credentials/],
    ["not a url", /valid URL/],
    ["http://10.0.0.1/", /private/],
    ["http://172.16.5.4/", /private/],
    ["http://192.168.1.1/", /private/],
    ["http://100.64.0.1/", /carrierGradeNat/],
    ["http://169.254.169.254/latest/meta-data/", /linkLocal/],
    ["http://0.0.0.0/", /unspecified/],
    ["http://255.255.255.255/", /broadcast/],
    ["http://224.0.0.1/", /multicast/],
    ["http://127.0.0.1:8787/", /loopback/],
    ["http://127.1.2.3/", /loopback/],
    ["http://[::1]/", /loopback/],
    ["http://[::ffff:10.0.0.1]/", /private/],
    ["http://[::ffff:127.0.0.1]/", /loopback/],
    ["http://[fc00::1]/", /uniqueLocal/],
    ["http://[fe80::1]/", /linkLocal/],
    ["http://2130706433/", /loopback/],
    ["http://0x7f000001/", /loopback/],
    ["http://localhost:3000/", /Loopback/],
    ["http://api.localhost/", /Loopback/],
    ["http://metadata.google.internal/computeMetadata/v1/", /Metadata/],
  ])("refuses %s", (url, reason) => {
    expect(() => assertOutboundUrl(url, strict)).toThrow(OutboundUrlError);
    expect(() => assertOutboundUrl(url, strict)).toThrow(reason);
  });

  it("lets loopback through only when ALLOW_LOOPBACK_FETCH is on, and nothing else private", () => {
    expect(assertOutboundUrl("http://127.0.0.1:9/", loopbackAllowed).hostname).toBe("127.0.0.1");
    expect(assertOutboundUrl("http://[::1]:9/", loopbackAllowed).hostname).toBe("[::1]");
    expect(assertOutboundUrl("http://localhost:9/", loopbackAllowed).hostname).toBe("localhost");
    expect(() => assertOutboundUrl("http://10.0.0.1/", loopbackAllowed)).toThrow(/private/);
    expect(() => assertOutboundUrl("http://169.254.169.254/", loopbackAllowed)).toThrow(/linkLocal/);
  });
});

describe("createSafeFetch", () => {
  it("refuses a loopback URL before any request while the allowance is off", async () => {
    const safeFetch = createSafeFetch(strict);
    await expect(safeFetch(`${env.FAKE_PROVIDER_URL}/websites/acme`)).rejects.toThrow(/loopback/);
  });

  it("re-checks every redirect hop and refuses a hop to a private or metadata address", async () => {
    const safeFetch = createSafeFetch(loopbackAllowed);
    await expect(safeFetch(`${env.FAKE_PROVIDER_URL}/websites/to-private`)).rejects.toThrow(/private/);
    await expect(safeFetch(`${env.FAKE_PROVIDER_URL}/websites/to-metadata`)).rejects.toThrow(/linkLocal/);
  });

  it("follows at most three redirects", async () => {
    const safeFetch = createSafeFetch(loopbackAllowed);
    const ok = await safeFetch(`${env.FAKE_PROVIDER_URL}/websites/chain/3`);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    await expect(safeFetch(`${env.FAKE_PROVIDER_URL}/websites/chain/4`)).rejects.toThrow(/More than 3 redirects/);
  });
});
