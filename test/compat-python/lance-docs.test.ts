import { beforeAll, describe, expect, it } from "vitest";
import { client, docs, docsOrg, runCurl, until } from "./docs-harness";
import { type CurlExample, curlExamples, documentedFieldTypes, readDocument } from "./document-examples";

/**
 * Lance's own curl examples (../shared/reference/lance.md), every one, taken from the document at test time and run
 * with bash against `wrangler dev`. Substituted: the host (→ the dev server), `<token>` (→ a Dossier key) and the
 * example person id `550e8400-…` (→ a person created here; Lance 400s an id that names no person). Each answer must
 * have exactly the keys of the JSON example the document shows after the command, typed as its field table says.
 */
const text = readDocument("lance");
const examples = curlExamples(text);
const types = documentedFieldTypes(text);
const EXAMPLE_PERSON = "550e8400-e29b-41d4-a716-446655440000";
let key = "";
let personId = "";

beforeAll(async () => {
  const org = await docsOrg("Lance docs");
  key = org.key;
  // The organization's email searches: http_lookup on the contacts fake, which finds two addresses.
  await client.expect(200, "PUT", "/v1/integrations/http_lookup", { key, body: { enabled: true, config: { baseUrl: `${docs.fakeUrl}/contacts/emails` } } });
  await client.expect(201, "POST", "/v1/enrichment-groups", { key, body: { slug: "contact-emails", name: "Contact emails", integrationCodes: ["http_lookup"] } });
  personId = (await client.expect(201, "POST", "/v1/entities", { key, body: { type: "person", attributes: { fullName: "Ada Lovelace" } } })).id;
});

function substituted(example: CurlExample) {
  expect(example.command).toContain(EXAMPLE_PERSON);
  expect(example.command).toContain("Bearer <token>");
  return example.command.replace(example.url.origin, docs.url).replace("<token>", key).replaceAll(EXAMPLE_PERSON, personId);
}

/** The documented object: the example's keys in its order, each value of a type the field table allows. */
function expectDocumentedShape(answer: Record<string, unknown>, documented: Record<string, unknown>) {
  expect(Object.keys(answer)).toEqual(Object.keys(documented));
  for (const [name, value] of Object.entries(answer)) {
    expect(types[name], `${name} in the field table`).toBeDefined();
    expect(types[name], name).toContain(value === null ? "null" : typeof value);
  }
}

describe("Lance's documented curl examples, against wrangler dev", () => {
  it("the document has two POST examples and one GET, each followed by its JSON answer", () => {
    expect(examples.map((e) => e.method)).toEqual(["POST", "POST", "GET"]);
    for (const e of examples) expect(e.response).toBeDefined();
  });

  let first: Record<string, unknown> = {};

  it("POST (the first example): a pending record like the documented one", async () => {
    const [post] = examples;
    if (!post?.response) throw new Error("no POST example");
    const res = await runCurl(substituted(post));
    expect(res.status).toBe(200);
    expectDocumentedShape(res.json, post.response);
    const { id: _id, createdAt: _c, updatedAt: _u, entityId: _e, createdBy: _b, orgId: _o, ...states } = post.response;
    expect(res.json).toMatchObject({ ...states, entityId: personId });
    first = res.json;
  });

  it("POST again (the second example, as written): the same record, no second enrichment", async () => {
    const [, post] = examples;
    if (!post?.response) throw new Error("no second POST example");
    const res = await runCurl(substituted(post));
    expect(res.status).toBe(200);
    expectDocumentedShape(res.json, post.response);
    expect(res.json).toMatchObject({ id: first.id, entityId: personId, field: "emails", createdAt: first.createdAt });
  });

  it("GET (the third example), polled until the search ends: finished with dataFound true and its credit transaction, like the documented answer", async () => {
    const [, , get] = examples;
    if (!get?.response) throw new Error("no GET example");
    const command = substituted(get);
    const res = await until(() => runCurl(command), (r) => r.status !== 200 || r.json.status !== "pending", "the enrichment to finish");
    expect(res.status).toBe(200);
    expectDocumentedShape(res.json, get.response);
    expect(res.json).toMatchObject({ id: first.id, entityId: personId, entityType: "person", field: "emails", status: "finished", error: null, dataFound: true });
    expect(res.json.creditTransactionId).toEqual(expect.any(String));
  });
});
