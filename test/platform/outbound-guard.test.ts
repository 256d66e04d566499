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
    for (const disguised of ["[::ffff:127.0.0.1]", "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]"]) {
      expect(() => assertOutboundUrl(`http://${disguised}/`, loopbackAllowed), disguised).toThrow(/loopback/);
    }
  });
});

/** The IPv6 forms that embed an IPv4 address, each built from the IPv4 address it leads to. */
const hex = (v4: string) => {
  const b = v4.split(".").map(Number);
  const word = (hi = 0, lo = 0) => ((hi << 8) | lo).toString(16);
  return { hi: word(b[0], b[1]), lo: word(b[2], b[3]), b };
};
const embeddings: [string, (v4: string) => string][] = [
  ["IPv4-compatible", (v4) => `[::${v4}]`],
  ["IPv4-compatible, hex", (v4) => `[::${hex(v4).hi}:${hex(v4).lo}]`],
  ["IPv4-mapped", (v4) => `[::ffff:${v4}]`],
  ["IPv4-mapped, hex", (v4) => `[::ffff:${hex(v4).hi}:${hex(v4).lo}]`],
  ["IPv4-translated", (v4) => `[::ffff:0:${v4}]`],
  ["NAT64 well-known prefix", (v4) => `[64:ff9b::${v4}]`],
  ["NAT64 local-use /96", (v4) => `[64:ff9b:1::${v4}]`],
  ["NAT64 local-use /48", (v4) => {
    const { b } = hex(v4);
    const w = (x = 0, y = 0) => ((x << 8) | y).toString(16);
    return `[64:ff9b:1:${w(b[0], b[1])}:${w(0, b[2])}:${w(b[3], 0)}::]`;
  }],
  ["6to4", (v4) => `[2002:${hex(v4).hi}:${hex(v4).lo}::1]`],
  ["Teredo client", (v4) => {
    const { b } = hex(v4);
    const w = (x = 0, y = 0) => (((x ^ 0xff) << 8) | (y ^ 0xff)).toString(16);
    return `[2001:0:5db8:d822:8000:f227:${w(b[0], b[1])}:${w(b[2], b[3])}]`;
  }],
  ["Teredo server", (v4) => `[2001:0:${hex(v4).hi}:${hex(v4).lo}:8000:f227:a257:b8bc]`],
];
const nonPublic: [string, RegExp][] = [
  ["127.0.0.1", /loopback/],
  ["169.254.169.254", /linkLocal/],
  ["10.0.0.1", /private/],
  ["192.168.0.1", /private/],
  ["100.64.0.1", /carrierGradeNat/],
  ["0.0.0.0", /unspecified/],
];

/** Local-use NAT64 does not say where the IPv4 address sits, so every reading must be public: refused in practice. */
const localUseNat64 = (form: string) => form.startsWith("NAT64 local-use");

describe("IPv6 forms that embed an IPv4 address (table; the guard is called directly)", () => {
  const refused = embeddings.flatMap(([form, build]) => nonPublic.map(([v4, reason]) => [form, v4, build(v4), reason] as const));
  it.each(refused)("refuses %s of %s (%s)", (form, _v4, host, reason) => {
    expect(() => assertOutboundUrl(`http://${host}/`, strict)).toThrow(OutboundUrlError);
    if (!localUseNat64(form) || form.endsWith("/96")) expect(() => assertOutboundUrl(`http://${host}/`, strict)).toThrow(reason);
  });

  // 93.184.216.34 is public; the Teredo server in the client rows (93.184.216.34 as 5db8:d822) is public too.
  const publicForms = embeddings.map(([form, build]) => [form, build("93.184.216.34")] as const);
  it.each(publicForms.filter(([form]) => !localUseNat64(form)))("accepts %s of a public address (%s)", (_form, host) => {
    expect(() => assertOutboundUrl(`http://${host}/`, strict)).not.toThrow();
  });

  it.each(publicForms.filter(([form]) => localUseNat64(form)))("refuses %s even of a public address (%s)", (_form, host) => {
    expect(() => assertOutboundUrl(`http://${host}/`, strict)).toThrow(/inside the IPv6 address/);
  });

  it("keeps refusing the other special IPv6 ranges", () => {
    for (const host of ["[::]", "[100::1]", "[2001:db8::1]", "[2001:2::1]", "[ff02::1]"]) {
      expect(() => assertOutboundUrl(`http://${host}/`, strict), host).toThrow(OutboundUrlError);
    }
  });
});

describe("IPv4 in odd spellings (table; the guard is called directly)", () => {
  it.each([
    ["decimal", "http://2130706433/", /loopback/],
    ["decimal", "http://2852039166/", /linkLocal/],
    ["decimal", "http://167772161/", /private/],
    ["decimal", "http://3232235521/", /private/],
    ["octal", "http://0177.0.0.1/", /loopback/],
    ["octal", "http://0251.0376.0251.0376/", /linkLocal/],
    ["octal", "http://012.0.0.1/", /private/],
    ["octal", "http://0300.0250.0.1/", /private/],
    ["octal, one number", "http://017700000001/", /loopback/],
    ["hex", "http://0x7f000001/", /loopback/],
    ["hex", "http://0xa9fea9fe/", /linkLocal/],
    ["hex, dotted", "http://0x7f.0x0.0x0.0x1/", /loopback/],
    ["hex, dotted", "http://0xc0.0xa8.0.1/", /private/],
    ["short", "http://127.1/", /loopback/],
    ["short", "http://10.1/", /private/],
    ["short", "http://169.254.43518/", /linkLocal/],
    ["short", "http://192.168.1/", /private/],
    ["mixed", "http://0x7f.1/", /loopback/],
    ["trailing dot", "http://127.0.0.1./", /loopback/],
  ])("refuses %s %s", (_kind, url, reason) => {
    expect(() => assertOutboundUrl(url, strict)).toThrow(OutboundUrlError);
    expect(() => assertOutboundUrl(url, strict)).toThrow(reason);
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
