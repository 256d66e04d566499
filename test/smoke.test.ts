import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "./helpers/api";

describe("smoke", () => {
  it("creates an org, a key and an entity", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    const res = await call("POST", "/v1/entities", {
      key: member.key,
      body: { type: "person", externalId: "crm-1", attributes: { firstName: "Ada", lastName: "Lovelace", email: " Ada@Example.COM ", country: "gb", companyDomain: "https://www.Example.com/about" } },
    });
    expect(res.status).toBe(201);
    expect(res.json.attributes).toMatchObject({ email: "ada@example.com", country: "GB", companyDomain: "example.com", fullName: "Ada Lovelace" });
    const dup = await call("POST", "/v1/entities", { key: member.key, body: { type: "person", externalId: "crm-1", attributes: {} } });
    expect(dup.status).toBe(409);
    const bad = await call("POST", "/v1/entities", { key: member.key, body: { type: "person", attributes: { email: "nope", bogus: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("VALIDATION_ERROR");
    const list = await call("GET", "/v1/entities?q=ada", { key: member.key });
    expect(list.json.data).toHaveLength(1);
    const doc = await call("GET", "/openapi.json");
    expect(doc.json.openapi).toBe("3.1.0");
    const malformed = await call("POST", "/v1/entities", { key: member.key, rawBody: "{", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
    const wrongType = await call("POST", "/v1/entities", { key: member.key, rawBody: "a=b", headers: { "content-type": "text/plain" } });
    expect(wrongType.status).toBe(415);
    const idem1 = await call("POST", "/v1/entities", { key: member.key, headers: { "idempotency-key": "k1" }, body: { type: "company", attributes: { name: "X" } } });
    const idem2 = await call("POST", "/v1/entities", { key: member.key, headers: { "idempotency-key": "k1" }, body: { type: "company", attributes: { name: "X" } } });
    expect(idem2.status).toBe(201);
    expect(idem2.json.id).toBe(idem1.json.id);
    const idem3 = await call("POST", "/v1/entities", { key: member.key, headers: { "idempotency-key": "k1" }, body: { type: "company", attributes: { name: "Y" } } });
    expect(idem3.status).toBe(422);
    console.log(JSON.stringify(bad.json), malformed.text, wrongType.text);
  });
});
