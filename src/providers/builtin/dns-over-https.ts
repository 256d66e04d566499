import type { SafeFetch } from "../../platform/lib/outbound-fetch";

/** DNS RCODEs a DoH JSON resolver reports in `Status`. */
const NOERROR = 0;
const NXDOMAIN = 3;

const RECORD_TYPES = { A: 1, CNAME: 5, MX: 15, AAAA: 28 } as const;
export type RecordType = keyof typeof RECORD_TYPES;

interface DohAnswer {
  name: string;
  type: number;
  TTL: number;
  data: string;
}

interface DohReply {
  Status: number;
  Answer?: DohAnswer[];
}

export interface DnsAnswer {
  /** NOERROR, NXDOMAIN, or the resolver could not get an answer (SERVFAIL, REFUSED …). */
  status: "ok" | "nxdomain" | "failed";
  rcode: number;
  /** `data` of the answers of the asked type (CNAMEs in the chain are left out). */
  records: string[];
  /** Smallest TTL among those answers, for caching. */
  ttlSeconds: number | null;
}

function isDohReply(body: unknown): body is DohReply {
  return typeof body === "object" && body !== null && typeof (body as DohReply).Status === "number";
}

/** The resolver gave no DNS answer at all; `message` says what happened, `retryable` whether asking again may help. */
export class ResolverError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ResolverError";
  }
}

const brief = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 200);

/**
 * One query to a DNS-over-HTTPS resolver speaking the `application/dns-json` format
 * (`?name=example.com&type=MX`), through the outbound guard like every other fetch. A resolver that cannot be
 * reached, closes the connection, answers non-2xx or answers something other than dns-json throws a ResolverError
 * (retryable for network failures and 5xx); an abort of `fetch`'s signal is rethrown as it is.
 */
export async function queryDns(fetch: SafeFetch, resolverUrl: string, name: string, type: RecordType): Promise<DnsAnswer> {
  const url = new URL(resolverUrl);
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/dns-json" } });
  } catch (error) {
    if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) throw error;
    throw new ResolverError(`the resolver could not be reached (${brief(error)})`, true);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ResolverError(`the resolver answered HTTP ${res.status}`, res.status >= 500 || res.status === 429);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (error) {
    if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) throw error;
    body = null;
  }
  if (!isDohReply(body)) throw new ResolverError("the resolver answered something other than dns-json", false);
  const answers = (body.Answer ?? []).filter((a) => a.type === RECORD_TYPES[type] && typeof a.data === "string");
  const status = body.Status === NOERROR ? "ok" : body.Status === NXDOMAIN ? "nxdomain" : "failed";
  return {
    status,
    rcode: body.Status,
    records: answers.map((a) => a.data),
    ttlSeconds: answers.length > 0 ? Math.min(...answers.map((a) => (Number.isFinite(a.TTL) ? a.TTL : 0))) : null,
  };
}

export interface MxRecord {
  priority: number;
  exchange: string;
}

/**
 * "10 mx.example.com." → {priority: 10, exchange: "mx.example.com"}; the RFC 7505 null MX "0 ." gives
 * an empty exchange. Malformed data is dropped.
 */
export function parseMx(data: string): MxRecord | null {
  const match = /^\s*(\d{1,5})\s+(\S+)\s*$/.exec(data);
  if (!match?.[1] || !match[2]) return null;
  return { priority: Number(match[1]), exchange: match[2].replace(/\.$/, "").toLowerCase() };
}
