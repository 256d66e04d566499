import { env } from "cloudflare:workers";
import { createDb } from "../../src/platform/db/client";
import { readSettings } from "../../src/platform/env";
import { createSafeFetch } from "../../src/platform/lib/outbound-fetch";
import type { IntegrationContext, IntegrationInput } from "../../src/providers/types";

/** The fake DoH resolver on 127.0.0.1, as the worker sees it. */
export const fakeDohUrl = () => `${env.FAKE_PROVIDER_URL}/doh`;

/** What the core hands an integration, with DNS pointed at the fake resolver and loopback allowed. */
export function builtinContext(opts: { orgId?: string; signal?: AbortSignal } = {}): IntegrationContext {
  const signal = opts.signal ?? AbortSignal.timeout(15_000);
  return {
    env,
    settings: { ...readSettings(env), DOH_URL: fakeDohUrl() },
    db: createDb(env.DB),
    orgId: opts.orgId ?? `org_${crypto.randomUUID()}`,
    config: {},
    credentials: {},
    signal,
    fetch: createSafeFetch({ allowLoopback: true }, { signal }),
  };
}

export const personInput = (attributes: Record<string, unknown>, params: Record<string, unknown> = {}): IntegrationInput => ({
  entityId: crypto.randomUUID(),
  entityType: "person",
  attributes,
  params,
});

export const companyInput = (attributes: Record<string, unknown>): IntegrationInput => ({
  entityId: crypto.randomUUID(),
  entityType: "company",
  attributes,
  params: {},
});

export async function dohCalls(name: string): Promise<number> {
  const res = await fetch(`${fakeDohUrl()}/calls?name=${encodeURIComponent(name)}`);
  return ((await res.json()) as { count: number }).count;
}
