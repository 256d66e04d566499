import { type DnsAnswer, type MxRecord, type RecordType, ResolverError, parseMx, queryDns } from "./dns-over-https";
import type { IntegrationContext } from "../types";

/**
 * - `mx`: the domain publishes mail exchangers.
 * - `implicit_a`: no MX but an A record; RFC 5321 senders fall back to it, few real mail domains rely on it.
 * - `null_mx`: RFC 7505 "0 .": the domain says it accepts no mail.
 * - `no_mail`: the name exists but has neither MX nor A.
 * - `nxdomain`: the domain does not exist.
 * - `dns_failure`: nothing can be concluded: the domain's DNS did not answer (SERVFAIL, REFUSED …), or the resolver
 *   itself could not be asked (unreachable, timed out, closed the connection, answered non-2xx or something that
 *   is not dns-json). `failure` says which.
 */
export type MailDomainStatus = "mx" | "implicit_a" | "null_mx" | "no_mail" | "nxdomain" | "dns_failure";

export interface MailDomain {
  domain: string;
  status: MailDomainStatus;
  /** Exchanges by preference, lowest priority value first. */
  mx: MxRecord[];
  /** `dns_failure` only: what went wrong, e.g. "the resolver answered HTTP 500". */
  failure?: string;
}

export const acceptsMail = (status: MailDomainStatus) => status === "mx" || status === "implicit_a";

/** DNS answers are shared across integrations and organizations: bulk runs hit the same few domains. */
const cacheKeyOf = (domain: string) => `dns:v1:mail:${domain}`;
const MIN_KV_TTL = 60;
const MAX_CACHE_SECONDS = 3600;
const NEGATIVE_CACHE_SECONDS = 300;

/** One query gets this long: a resolver that hangs must leave the integration time to answer `unknown`. */
export const DOH_QUERY_TIMEOUT_MS = 2000;
/** A resolver 5xx or a dropped connection is asked once more after this pause; a timeout is not. */
const DOH_RETRY_DELAY_MS = 150;

type Ctx = Pick<IntegrationContext, "env" | "settings" | "fetch" | "signal">;

/**
 * One DNS question, under its own DOH_QUERY_TIMEOUT_MS inside the integration's budget. A resolver that fails to
 * answer is a ResolverError saying what happened (a hang: "did not answer within …"); a 5xx or a network error is
 * asked once more.
 */
async function ask(ctx: Ctx, domain: string, type: RecordType): Promise<DnsAnswer> {
  for (let attempt = 1; ; attempt++) {
    const timeout = AbortSignal.timeout(DOH_QUERY_TIMEOUT_MS);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    try {
      return await queryDns((url, init) => ctx.fetch(url, { ...init, signal }), ctx.settings.DOH_URL, domain, type);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      if (timeout.aborted) throw new ResolverError(`the resolver did not answer within ${DOH_QUERY_TIMEOUT_MS} ms`, false);
      if (!(error instanceof ResolverError) || !error.retryable || attempt > 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, DOH_RETRY_DELAY_MS));
    }
  }
}

async function resolveMailDomain(ctx: Ctx, domain: string): Promise<{ result: MailDomain; ttlSeconds: number | null }> {
  const mx = await ask(ctx, domain, "MX");
  if (mx.status === "nxdomain") return { result: { domain, status: "nxdomain", mx: [] }, ttlSeconds: NEGATIVE_CACHE_SECONDS };
  if (mx.status === "failed") return { result: { domain, status: "dns_failure", mx: [], failure: rcodeFailure(mx) }, ttlSeconds: null };
  const records = mx.records
    .map(parseMx)
    .filter((r): r is MxRecord => r !== null)
    .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
  if (records.length > 0) {
    const real = records.filter((r) => r.exchange !== "");
    return { result: { domain, status: real.length === 0 ? "null_mx" : "mx", mx: real }, ttlSeconds: mx.ttlSeconds };
  }
  const a = await ask(ctx, domain, "A");
  if (a.status === "ok" && a.records.length > 0) return { result: { domain, status: "implicit_a", mx: [] }, ttlSeconds: a.ttlSeconds };
  if (a.status === "failed") return { result: { domain, status: "dns_failure", mx: [], failure: rcodeFailure(a) }, ttlSeconds: null };
  return { result: { domain, status: "no_mail", mx: [] }, ttlSeconds: NEGATIVE_CACHE_SECONDS };
}

const RCODES: Record<number, string> = { 1: "FORMERR", 2: "SERVFAIL", 4: "NOTIMP", 5: "REFUSED" };
const rcodeFailure = (answer: DnsAnswer) => `the domain's DNS answered ${RCODES[answer.rcode] ?? `RCODE ${answer.rcode}`}`;

/**
 * MX check of a mail domain over DNS-over-HTTPS, with the answer cached in KV within its DNS TTL. Never throws for
 * a resolver that fails: that is `dns_failure` with the reason, and is not cached, so a later call asks again.
 */
export async function lookupMailDomain(ctx: Ctx, domain: string): Promise<MailDomain> {
  const key = cacheKeyOf(domain);
  const cached = await ctx.env.ENRICH_CACHE.get<MailDomain>(key, "json");
  if (cached) return cached;
  let resolved: { result: MailDomain; ttlSeconds: number | null };
  try {
    resolved = await resolveMailDomain(ctx, domain);
  } catch (error) {
    if (!(error instanceof ResolverError)) throw error;
    return { domain, status: "dns_failure", mx: [], failure: error.message };
  }
  const { result, ttlSeconds } = resolved;
  if (ttlSeconds !== null) {
    const ttl = Math.max(MIN_KV_TTL, Math.min(ttlSeconds, MAX_CACHE_SECONDS));
    await ctx.env.ENRICH_CACHE.put(key, JSON.stringify(result), { expirationTtl: ttl });
  }
  return result;
}
