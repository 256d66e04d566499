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
  if (!ipaddr.isValid(bare)) return null;
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed;
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

/** Verdicts per host: a job calls the same few provider hosts thousands of times, and parsing addresses showed up. */
const verdicts = new Map<string, string | null>();
const VERDICTS_KEPT = 1000;

function hostRefusal(host: string, policy: OutboundPolicy): string | null {
  const key = `${policy.allowLoopback ? 1 : 0}|${host}`;
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  let refusal: string | null = null;
  // Hosts like "2130706433" or "0x7f.1" are IPv4 in disguise; ipaddr's parser understands those forms too.
  const address = literalAddress(host) ?? (ipaddr.IPv4.isValid(host) ? ipaddr.IPv4.parse(host) : null);
  if (address) {
    const range = address.range();
    if (!(range === "loopback" && policy.allowLoopback) && range !== "unicast") refusal = `Address range '${range}' is not allowed`;
  }
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
