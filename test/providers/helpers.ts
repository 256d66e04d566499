import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, createOrg } from "../helpers/api";
import type { Received } from "./fake-recorder";

export const fakeUrl = (prefix: string) => `${env.FAKE_PROVIDER_URL}/${prefix}`;

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Random upper-case letters and digits: a fresh lookup value per test keeps the global cache out of the way. */
export function randomCode(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => ALNUM[b % ALNUM.length]).join("");
}

/** A well-formed LEI (18 characters and 2 digits) starting with `prefix`. */
export const randomLei = (prefix = "") => `${prefix}${randomCode(18 - prefix.length)}${10 + Math.floor(Math.random() * 90)}`;

/** A new organization with one integration enabled against its fake. */
export async function orgWithIntegration(code: string, body: { config?: Record<string, unknown>; credentials?: Record<string, string> }) {
  const org = await createOrg();
  const res = await call("PUT", `/v1/integrations/${code}`, { key: org.adminKey, body: { enabled: true, ...body } });
  expect(res.status, res.text).toBe(200);
  return org;
}

export async function newEntity(key: string, type: "person" | "company", attributes: Record<string, unknown>): Promise<string> {
  const res = await call("POST", "/v1/entities", { key, body: { type, attributes } });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

/** Runs one integration on one entity through the API and returns the whole answer and its only result. */
export async function enrichWith(key: string, entityId: string, code: string, extra: Record<string, unknown> = {}) {
  const res = await call("POST", `/v1/entities/${entityId}/enrichments`, { key, body: { integrationCodes: [code], ...extra } });
  expect(res.status, res.text).toBe(200);
  return { res, result: res.json.results[0] };
}

export async function receivedBy(prefix: string, key: string): Promise<Received[]> {
  const url = new URL(`/${prefix}/_received`, env.FAKE_PROVIDER_URL);
  url.searchParams.set("key", key);
  return (await (await fetch(url)).json()) as Received[];
}

/** Every way the organization could read a secret back: the run, the catalog, the entity, the records, the audit log. */
export async function expectSecretNowhere(key: string, entityId: string, secret: string, answers: { text: string }[] = []) {
  const reads = await Promise.all([
    call("GET", "/v1/integrations", { key }),
    call("GET", `/v1/entities/${entityId}`, { key }),
    call("GET", `/v1/entities/${entityId}/enrichments`, { key }),
    call("GET", "/v1/audit-log?limit=200", { key }),
  ]);
  for (const r of reads) expect(r.status, r.text).toBe(200);
  for (const r of [...reads, ...answers]) expect(r.text).not.toContain(secret);
}
