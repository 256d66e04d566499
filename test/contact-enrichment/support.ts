import { env } from "cloudflare:workers";
import { handleContactEnrichmentTask } from "../../src/features/contact-enrichment/task.queue";
import { type TestOrg, call, createOrg } from "../helpers/api";
import { person } from "../helpers/enrichment";

export type Behaviour = "emails" | "phones" | "nothing" | "nodata" | "500" | "hang";

/** Points `http_lookup` at the contacts fake with this behaviour. */
export async function setProvider(adminKey: string, behaviour: Behaviour) {
  const res = await call("PUT", "/v1/integrations/http_lookup", {
    key: adminKey,
    body: { enabled: true, config: { baseUrl: `${env.FAKE_PROVIDER_URL}/contacts/${behaviour}` } },
  });
  if (res.status !== 200) throw new Error(`enable http_lookup: ${res.status} ${res.text}`);
}

/**
 * An organization whose contact searches (both fields) use only `http_lookup`, through the documented
 * `contact-emails` / `contact-phones` enrichment groups, so the built-ins do not take part.
 */
export async function contactOrg(
  behaviour: Behaviour,
  opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number } = {},
): Promise<TestOrg> {
  const org = await createOrg(opts);
  await setProvider(org.adminKey, behaviour);
  for (const field of ["emails", "phones"]) {
    const res = await call("POST", "/v1/enrichment-groups", {
      key: org.adminKey,
      body: { slug: `contact-${field}`, name: `Contact ${field}`, integrationCodes: ["http_lookup"] },
    });
    if (res.status !== 201) throw new Error(`group: ${res.status} ${res.text}`);
  }
  return org;
}

/** A person with a name of its own, so provider calls and cache entries are this test's alone. */
export async function newPerson(key: string, name = `Ada ${crypto.randomUUID().slice(0, 8)}`, extra: Record<string, unknown> = {}) {
  return { id: await person(key, { fullName: name, ...extra }), name };
}

export const contactPath = (personId: string, field = "emails") => `/v1/people/${personId}/contact-enrichment?field=${field}`;

export const postContact = (key: string, personId: string, field = "emails", headers: Record<string, string> = {}) =>
  call("POST", contactPath(personId, field), { key, headers });

export const getContact = (key: string, personId: string, field = "emails") => call("GET", contactPath(personId, field), { key });

/** Runs the queue task the way the provider-calls consumer does. */
export const runTask = (recordId: string, orgId: string) => handleContactEnrichmentTask({ kind: "contact_enrichment", recordId, orgId }, env);

export async function contactCalls(name: string): Promise<number> {
  const url = new URL("/contacts/calls", env.FAKE_PROVIDER_URL);
  url.searchParams.set("name", name);
  return ((await (await fetch(url)).json()) as { count: number }).count;
}

export async function recordRow(id: string) {
  return env.DB.prepare("SELECT * FROM contact_enrichments WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

/** Moves a record's creation time into the past, as if it had been pending that long. */
export async function ageRecord(id: string, seconds: number) {
  const at = new Date(Date.now() - seconds * 1000).toISOString();
  await env.DB.prepare("UPDATE contact_enrichments SET created_at = ?, updated_at = ? WHERE id = ?").bind(at, at, id).run();
}

export async function charges(orgId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM credit_transactions WHERE org_id = ? AND type = 'charge'")
    .bind(orgId)
    .all<{ id: string; amount: number; enrichment_id: string; integration_code: string }>();
  return results;
}
