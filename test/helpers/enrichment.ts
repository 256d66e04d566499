import { env } from "cloudflare:workers";
import { call, createOrg } from "./api";

/** A unique scenario string for the `lookup` fake: `id=<uuid>;code=behaviour;…`. */
export function scenario(behaviours: Record<string, string> = {}): string {
  return [`id=${crypto.randomUUID()}`, ...Object.entries(behaviours).map(([k, v]) => `${k}=${v}`)].join(";");
}

export async function lookupCalls(scenarioId: string, integration = "http_lookup"): Promise<number> {
  const url = new URL("/lookup/calls", env.FAKE_PROVIDER_URL);
  url.searchParams.set("scenario", scenarioId);
  url.searchParams.set("integration", integration);
  const res = await fetch(url);
  return ((await res.json()) as { count: number }).count;
}

/** An organization with both http_lookup integrations enabled against the fake provider. */
export async function lookupOrg(opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number } = {}) {
  const org = await createOrg(opts);
  for (const code of ["http_lookup", "http_lookup_alt"]) {
    const res = await call("PUT", `/v1/integrations/${code}`, {
      key: org.adminKey,
      body: { enabled: true, config: { baseUrl: env.FAKE_PROVIDER_URL } },
    });
    if (res.status !== 200) throw new Error(`enable ${code}: ${res.status} ${res.text}`);
  }
  return org;
}

export async function person(key: string, attributes: Record<string, unknown> = { fullName: "Ada Lovelace", email: "ada@example.com" }) {
  const res = await call("POST", "/v1/entities", { key, body: { type: "person", attributes } });
  if (res.status !== 201) throw new Error(`create entity: ${res.status} ${res.text}`);
  return res.json.id as string;
}

export function enrich(key: string, entityId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("POST", `/v1/entities/${entityId}/enrichments`, { key, body, headers });
}

export async function balance(key: string) {
  return (await call("GET", "/v1/credits", { key })).json as { creditBalance: number; reservedCredits: number; availableCredits: number };
}

export async function ledger(key: string) {
  const rows: { amount: number; type: string; enrichmentId: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const res = await call("GET", `/v1/credits/transactions?limit=200${cursor ? `&cursor=${cursor}` : ""}`, { key });
    rows.push(...res.json.data);
    cursor = res.json.nextCursor;
  } while (cursor);
  return rows;
}
