import { type MxRecord, parseMx, queryDns } from "./dns-over-https";
import type { IntegrationContext } from "../types";

/**
 * - `mx`: the domain publishes mail exchangers.
 * - `implicit_a`: no MX but an A record; RFC 5321 senders fall back to it, few real mail domains rely on it.
 * - `null_mx`: RFC 7505 "0 .": the domain says it accepts no mail.
 * - `no_mail`: the name exists but has neither MX nor A.
 * - `nxdomain`: the domain does not exist.
 * - `dns_failure`: the domain's DNS did not answer (SERVFAIL, REFUSED …): nothing can be concluded.
 */
export type MailDomainStatus = "mx" | "implicit_a" | "null_mx" | "no_mail" | "nxdomain" | "dns_failure";

export interface MailDomain {
  domain: string;
  status: MailDomainStatus;
  /** Exchanges by preference, lowest priority value first. */
  mx: MxRecord[];
}

export const acceptsMail = (status: MailDomainStatus) => status === "mx" || status === "implicit_a";

/** DNS answers are shared across integrations and organizations: bulk runs hit the same few domains. */
const cacheKeyOf = (domain: string) => `dns:v1:mail:${domain}`;
const MIN_KV_TTL = 60;
const MAX_CACHE_SECONDS = 3600;
const NEGATIVE_CACHE_SECONDS = 300;

type Ctx = Pick<IntegrationContext, "env" | "settings" | "fetch">;

async function resolveMailDomain(ctx: Ctx, domain: string): Promise<{ result: MailDomain; ttlSeconds: number | null }> {
  const resolver = ctx.settings.DOH_URL;
  const mx = await queryDns(ctx.fetch, resolver, domain, "MX");
  if (mx.status === "nxdomain") return { result: { domain, status: "nxdomain", mx: [] }, ttlSeconds: NEGATIVE_CACHE_SECONDS };
  if (mx.status === "failed") return { result: { domain, status: "dns_failure", mx: [] }, ttlSeconds: null };
  const records = mx.records
    .map(parseMx)
    .filter((r): r is MxRecord => r !== null)
    .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
  if (records.length > 0) {
    const real = records.filter((r) => r.exchange !== "");
    return { result: { domain, status: real.length === 0 ? "null_mx" : "mx", mx: real }, ttlSeconds: mx.ttlSeconds };
  }
  const a = await queryDns(ctx.fetch, resolver, domain, "A");
  if (a.status === "ok" && a.records.length > 0) return { result: { domain, status: "implicit_a", mx: [] }, ttlSeconds: a.ttlSeconds };
  if (a.status === "failed") return { result: { domain, status: "dns_failure", mx: [] }, ttlSeconds: null };
  return { result: { domain, status: "no_mail", mx: [] }, ttlSeconds: NEGATIVE_CACHE_SECONDS };
}

/** MX check of a mail domain over DNS-over-HTTPS, with the answer cached in KV within its DNS TTL. */
export async function lookupMailDomain(ctx: Ctx, domain: string): Promise<MailDomain> {
  const key = cacheKeyOf(domain);
  const cached = await ctx.env.ENRICH_CACHE.get<MailDomain>(key, "json");
  if (cached) return cached;
  const { result, ttlSeconds } = await resolveMailDomain(ctx, domain);
  if (ttlSeconds !== null) {
    const ttl = Math.max(MIN_KV_TTL, Math.min(ttlSeconds, MAX_CACHE_SECONDS));
    await ctx.env.ENRICH_CACHE.put(key, JSON.stringify(result), { expirationTtl: ttl });
  }
  return result;
}
