import { beforeAll, describe, expect, it } from "vitest";
import { client, docs, docsOrg, until } from "./docs-harness";
import { instaviewExamples, readDocument } from "./document-examples";

/**
 * Instaview's documented request (../shared/reference/instaview.md has no curl: its page's examples survive as the
 * fields' example values), taken from the document at test time and sent with fetch to `wrangler dev`:
 * `POST /sourcing/enrich {profileIds, webhookId}`, then `GET /sourcing/enrich/{requestId}/results`. The profile ids
 * are the document's own (`profile_abc123`, `profile_def456`: Instaview's ids are Dossier's externalIds, so two
 * candidates are stored under them); only `webhookId` is substituted, by a webhook of this organization subscribed to
 * ENRICH_COMPLETED (the document's UUID names no webhook, and Dossier answers 422 for one that is not the company's).
 */
const examples = instaviewExamples(readDocument("instaview"));
const bearer = { authorization: "" };
let webhookId = "";
const bin = crypto.randomUUID();

beforeAll(async () => {
  const { key } = await docsOrg("Instaview docs");
  bearer.authorization = `Bearer ${key}`;
  // The deep-enrichment group runs http_lookup on the batch-job fake.
  await client.expect(200, "PUT", "/v1/integrations/http_lookup", { key, body: { enabled: true, config: { baseUrl: `${docs.fakeUrl}/slow/` } } });
  await client.expect(201, "POST", "/v1/enrichment-groups", { key, body: { slug: "deep-enrichment", name: "Deep enrichment", integrationCodes: ["http_lookup"] } });
  const names = ["Jane Smith", "Bob Jones"];
  for (const [i, externalId] of examples.request.profileIds.entries()) {
    await client.expect(201, "POST", "/v1/entities", { key, body: { type: "person", externalId, attributes: { fullName: names[i] ?? externalId } } });
  }
  webhookId = (await client.expect(201, "POST", "/v1/webhooks", { key, body: { url: `${docs.fakeUrl}/webhooks/in/${bin}`, events: ["ENRICH_COMPLETED"] } })).id;
});

describe("Instaview's documented request, against wrangler dev", () => {
  let requestId = "";

  it("POST /sourcing/enrich with the documented body: 202 with the documented fields, each like its documented example", async () => {
    expect(examples.request.profileIds).toEqual(["profile_abc123", "profile_def456"]);
    const body = { ...examples.request, webhookId };
    const res = await client.call("POST", "/sourcing/enrich", { headers: bearer, body });
    expect(res.status, res.text).toBe(202);
    // The document lists success, requestId, status, message, createdAt, webhookId, each with an example value.
    const values = Object.values(res.json);
    expect(values).toHaveLength(examples.response.length);
    const [success, id, status, message, createdAt, hook] = examples.response;
    expect(res.json).toEqual({
      success,
      requestId: expect.stringMatching(/^enr_[0-9a-f-]{36}$/),
      status,
      message,
      createdAt: expect.any(String),
      webhookId,
    });
    expect(String(id)).toMatch(/^enr_[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(res.json.createdAt))).toBe(false);
    expect(String(createdAt)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(hook).toBe(examples.request.webhookId);
    requestId = res.json.requestId;
  });

  it("GET /sourcing/enrich/{requestId}/results, polled past 202 (processing): completed with both profiles enriched, one credit each; ENRICH_COMPLETED reaches the webhook", async () => {
    const done = await until(() => client.call("GET", `/sourcing/enrich/${requestId}/results`, { headers: bearer }), (r) => r.status !== 202, "the run to end");
    expect(done.status, done.text).toBe(200);
    expect(done.json).toMatchObject({ success: true, requestId, status: "completed", enrichedCount: 2, failureCount: 0, creditsConsumed: 2 });
    expect(done.json.data.map((d: { profileId: string; success: boolean }) => [d.profileId, d.success])).toEqual(examples.request.profileIds.map((p) => [p, true]));
    const [delivery] = await until(
      async () => (await (await fetch(`${docs.fakeUrl}/webhooks/received/${bin}`)).json()) as { body: string }[],
      (received) => received.length > 0,
      "the ENRICH_COMPLETED delivery",
    );
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ type: "ENRICH_COMPLETED", data: { requestId, status: "completed", webhookId } });
  });
});
