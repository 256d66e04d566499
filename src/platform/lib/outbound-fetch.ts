import ipaddr from "ipaddr.js";

export class OutboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutboundUrlError";
  }
}

export interface OutboundPolicy {
  /** ALLOW_LOOPBACK_FETCH: lets 127.0.0.0/8 and ::1 through, for local development and tests only. */
  allowLoopback: boolean;
}

const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"]);

function literalAddress(hostname: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = hostname.replace(/^\[|\]$/g, "");
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : null;
}

const ipv4At = (bytes: number[], offset: number, xor = 0) =>
  new ipaddr.IPv4(bytes.slice(offset, offset + 4).map((b) => b ^ xor));

/** RFC 6052: the IPv4 address after a NAT64 prefix of `length` bits, skipping the reserved octet (bits 64-71). */
function nat64IPv4(bytes: number[], length: 32 | 40 | 48 | 56 | 64 | 96): ipaddr.IPv4 {
  if (length === 96) return ipv4At(bytes, 12);
  return ipv4At([...bytes.slice(0, 8), ...bytes.slice(9)], length / 8);
}

/**
 * The IPv4 addresses an IPv6 address leads to, when it is one of the forms that embed one: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`),
 * 6to4 (`2002::/16`) and Teredo (`2001::/32`: its server and its obfuscated client address). Null for other
 * addresses. The local-use NAT64 prefix `64:ff9b:1::/48` does not say where its IPv4 address sits (each network
 * picks a prefix length from /48 to /96), so it is read at every one of them: all must be public, which in
 * practice refuses it.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const bytes = address.toByteArray();
  const w = address.parts;
  if (w.slice(0, 5).every((p) => p === 0) && (w[5] === 0xffff || w[5] === 0)) return [ipv4At(bytes, 12)];
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0xffff && w[5] === 0) return [ipv4At(bytes, 12)];
  if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((p) => p === 0)) return [nat64IPv4(bytes, 96)];
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) return ([96, 64, 56, 48] as const).map((length) => nat64IPv4(bytes, length));
  if (w[0] === 0x2002) return [ipv4At(bytes, 2)];
  if (w[0] === 0x2001 && w[1] === 0) return [ipv4At(bytes, 4), ipv4At(bytes, 12, 0xff)];
  return null;
}

/**
 * The one check every user-influenced URL passes before we fetch it: http(s) only, no credentials,
 * and no private, loopback, link-local, metadata or otherwise non-public address given as an IP literal.
 */
export function assertOutboundUrl(input: string | URL, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new OutboundUrlError("Not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutboundUrlError(`Scheme ${url.protocol} is not allowed`);
  if (url.username || url.password) throw new OutboundUrlError("Credentials in URLs are not allowed");
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!host) throw new OutboundUrlError("URL has no host");
  if (METADATA_HOSTS.has(host)) throw new OutboundUrlError("Metadata endpoints are not allowed");
  if (host === "localhost" || host.endsWith(".localhost")) {
    if (policy.allowLoopback) return url;
    throw new OutboundUrlError("Loopback addresses are not allowed");
  }
  const refusal = hostRefusal(host, policy);
  if (refusal) throw new OutboundUrlError(refusal);
  return url;
}

function rangeRefusal(address: ipaddr.IPv4 | ipaddr.IPv6, policy: OutboundPolicy): string | null {
  const range = address.range();
  if (range === "unicast" || (range === "loopback" && policy.allowLoopback)) return null;
  return `Address range '${range}' is not allowed`;
}

/**
 * An IPv6 address that embeds IPv4 is judged by where it leads: every embedded IPv4 address must be public. The
 * loopback allowance covers the literal 127.0.0.0/8 and ::1 only, never a disguise of them.
 */
function addressRefusal(address: ipaddr.IPv4 | ipaddr.IPv6, policy: OutboundPolicy): string | null {
  if (address.kind() === "ipv4") return rangeRefusal(address, policy);
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  const embedded = range === "loopback" || range === "unspecified" ? null : embeddedIPv4(v6);
  if (!embedded) return rangeRefusal(v6, policy);
  for (const v4 of embedded) {
    const refusal = rangeRefusal(v4, { allowLoopback: false });
    if (refusal) return `${refusal} (${v4.toString()} inside the IPv6 address ${v6.toString()})`;
  }
  return null;
}

/** Verdicts per host: a job calls the same few provider hosts thousands of times, and parsing addresses showed up. */
const verdicts = new Map<string, string | null>();
const VERDICTS_KEPT = 1000;

function hostRefusal(host: string, policy: OutboundPolicy): string | null {
  const key = `${policy.allowLoopback ? 1 : 0}|${host}`;
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  // Hosts like "2130706433" or "0x7f.1" are IPv4 in disguise; ipaddr's parser understands those forms too.
  const address = literalAddress(host) ?? (ipaddr.IPv4.isValid(host) ? ipaddr.IPv4.parse(host) : null);
  const refusal = address ? addressRefusal(address, policy) : null;
  if (verdicts.size >= VERDICTS_KEPT) verdicts.clear();
  verdicts.set(key, refusal);
  return refusal;
}

export interface SafeFetchInit extends RequestInit {
  maxRedirects?: number;
}

export type SafeFetch = (input: string | URL, init?: SafeFetchInit) => Promise<Response>;

/** fetch with the guard applied to the first URL and to every redirect hop. */
export function createSafeFetch(policy: OutboundPolicy, defaults: { signal?: AbortSignal } = {}): SafeFetch {
  return async (input, init = {}) => {
    const { maxRedirects = 3, ...rest } = init;
    let url = assertOutboundUrl(input, policy);
    let requestInit: RequestInit = { signal: defaults.signal, ...rest, redirect: "manual" };
    for (let hop = 0; ; hop++) {
      const res = await fetch(url, requestInit);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return res;
      if (hop >= maxRedirects) throw new OutboundUrlError(`More than ${maxRedirects} redirects`);
      await res.body?.cancel();
      url = assertOutboundUrl(new URL(location, url), policy);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && requestInit.method && requestInit.method !== "GET")) {
        requestInit = { ...requestInit, method: "GET", body: undefined };
      }
    }
  };
}
