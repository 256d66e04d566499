import { describe, expect, it } from "vitest";
import { call, createKey, createOrg } from "../helpers/api";
import { ISO_TIME, UUID, auditEntries, detailPaths, expectError, newEntity, newestFirst, walkPages } from "../tenancy/support";

describe("entities: happy paths", () => {
  it("creates a person, normalizing what it is given", async () => {
    const org = await createOrg();
    const member = await createKey(org.adminKey, "member");
    const res = await call("POST", "/v1/entities", {
      key: member.key,
      body: {
        type: "person",
        externalId: "crm-1",
        attributes: {
          firstName: " Ada ",
          lastName: "Lovelace",
          email: " Ada.Lovelace@Example.COM ",
          country: "gb",
          companyDomain: "https://www.Analytical-Engines.co.uk/about?ref=x",
          linkedinUrl: "linkedin.com/in/ada",
          phone: "+44 20 7946 0000",
          dateOfBirth: "1815-12-10",
          custom: { segment: "founders", score: 9, vip: true },
        },
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.id).toMatch(UUID);
    expect(res.json).toMatchObject({ type: "person", externalId: "crm-1", enriched: {} });
    expect(res.json.attributes).toEqual({
      firstName: "Ada",
      lastName: "Lovelace",
      fullName: "Ada Lovelace",
      email: "ada.lovelace@example.com",
      country: "GB",
      companyDomain: "analytical-engines.co.uk",
      linkedinUrl: "https://linkedin.com/in/ada",
      phone: "+44 20 7946 0000",
      dateOfBirth: "1815-12-10",
      custom: { segment: "founders", score: 9, vip: true },
    });
    expect(res.json.createdAt).toMatch(ISO_TIME);
    expect(res.json.updatedAt).toBe(res.json.createdAt);
    expect(Object.keys(res.json).sort()).toEqual(["attributes", "createdAt", "enriched", "externalId", "id", "tags", "type", "updatedAt"]);
    expect(res.json.tags).toEqual([]);
  });

  it("creates a company, taking its domain from the website", async () => {
    const org = await createOrg();
    const res = await call("POST", "/v1/entities", {
      key: org.adminKey,
      body: { type: "company", attributes: { name: "Acme", website: "HTTP://WWW.ACME.COM/contact#team", country: " de ", lei: "5493001kjtiigc8y1r12" } },
    });
    expect(res.status).toBe(201);
    expect(res.json.externalId).toBeNull();
    expect(res.json.attributes).toEqual({
      name: "Acme",
      website: "http://www.acme.com/contact",
      domain: "acme.com",
      country: "DE",
      lei: "5493001KJTIIGC8Y1R12",
    });
  });

  it("reads an entity by id and by externalId", async () => {
    const org = await createOrg();
    const viewer = await createKey(org.adminKey, "viewer");
    const created = await newEntity(org.adminKey, { type: "person", externalId: "hubspot/42 a", attributes: { fullName: "Grace Hopper" } });
    const byId = await call("GET", `/v1/entities/${created.id}`, { key: viewer.key });
    expect(byId.status).toBe(200);
    expect(byId.json).toEqual(created);
    const byExternal = await call("GET", `/v1/entities/by-external-id/${encodeURIComponent("hubspot/42 a")}`, { key: viewer.key });
    expect(byExternal.status).toBe(200);
    expect(byExternal.json).toEqual(created);
  });

  it("PATCH merges attributes, null removes one, and derived names follow their parts", async () => {
    const org = await createOrg();
    const created = await newEntity(org.adminKey, {
      type: "person",
      externalId: "p-1",
      attributes: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", title: "Countess" },
    });
    const res = await call("PATCH", `/v1/entities/${created.id}`, {
      key: org.adminKey,
      body: { externalId: "p-2", attributes: { lastName: "King", title: null, country: "gb" } },
    });
    expect(res.status).toBe(200);
    expect(res.json.externalId).toBe("p-2");
    expect(res.json.attributes).toEqual({ firstName: "Ada", lastName: "King", fullName: "Ada King", email: "ada@example.com", country: "GB" });
    expect(res.json.createdAt).toBe(created.createdAt);
    expect(res.json.updatedAt >= res.json.createdAt).toBe(true);
    expect((await call("GET", `/v1/entities/${created.id}`, { key: org.adminKey })).json).toEqual(res.json);
    expectError(await call("GET", "/v1/entities/by-external-id/p-1", { key: org.adminKey }), 404, "NOT_FOUND");

    // A fullName the client chose is kept when the parts change.
    const chosen = await newEntity(org.adminKey, { type: "person", attributes: { fullName: "Lady Byron", firstName: "Anne" } });
    const renamed = await call("PATCH", `/v1/entities/${chosen.id}`, { key: org.adminKey, body: { attributes: { firstName: "Annabella" } } });
    expect(renamed.json.attributes.fullName).toBe("Lady Byron");

    const company = await newEntity(org.adminKey, { type: "company", attributes: { website: "https://old.example" } });
    const moved = await call("PATCH", `/v1/entities/${company.id}`, { key: org.adminKey, body: { attributes: { website: "https://www.new.example" } } });
    expect(moved.json.attributes.domain).toBe("new.example");
  });

  it("PATCH can clear the externalId, after which it is free again", async () => {
    const org = await createOrg();
    const first = await newEntity(org.adminKey, { type: "person", externalId: "dup", attributes: {} });
    const cleared = await call("PATCH", `/v1/entities/${first.id}`, { key: org.adminKey, body: { externalId: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.json.externalId).toBeNull();
    await newEntity(org.adminKey, { type: "person", externalId: "dup", attributes: {} });
  });

  it("PUT by externalId creates (201) and then replaces (200) the same entity", async () => {
    const org = await createOrg();
    const path = "/v1/entities/by-external-id/sf-001";
    const created = await call("PUT", path, { key: org.adminKey, body: { type: "company", attributes: { name: "Acme", country: "us" } } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ externalId: "sf-001", type: "company", attributes: { name: "Acme", country: "US" } });

    const replaced = await call("PUT", path, { key: org.adminKey, body: { type: "company", attributes: { name: "Acme Inc", domain: "acme.com" } } });
    expect(replaced.status).toBe(200);
    expect(replaced.json.id).toBe(created.json.id);
    // A replacement, not a merge: country is gone.
    expect(replaced.json.attributes).toEqual({ name: "Acme Inc", domain: "acme.com" });

    const list = await call("GET", "/v1/entities?q=sf-001", { key: org.adminKey });
    expect(list.json.data).toHaveLength(1);
    const audit = await auditEntries(org.adminKey, `targetId=${created.json.id}`);
    expect(audit.map((e) => e.action).sort()).toEqual(["entity.created", "entity.updated"]);
  });

  it("DELETE removes the entity for good", async () => {
    const org = await createOrg();
    const created = await newEntity(org.adminKey, { type: "person", externalId: "gone", attributes: {} });
    const res = await call("DELETE", `/v1/entities/${created.id}`, { key: org.adminKey });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectError(await call("GET", `/v1/entities/${created.id}`, { key: org.adminKey }), 404, "NOT_FOUND");
    expectError(await call("GET", "/v1/entities/by-external-id/gone", { key: org.adminKey }), 404, "NOT_FOUND");
    expectError(await call("DELETE", `/v1/entities/${created.id}`, { key: org.adminKey }), 404, "NOT_FOUND");
    // Its externalId can be used again.
    await newEntity(org.adminKey, { type: "person", externalId: "gone", attributes: {} });
  });

  it("lists newest first and filters by type and by q over names, emails, domains and externalIds", async () => {
    const org = await createOrg();
    const ada = await newEntity(org.adminKey, { type: "person", externalId: "crm-ada", attributes: { fullName: "Ada Lovelace", email: "ada@engines.example" } });
    const grace = await newEntity(org.adminKey, { type: "person", attributes: { fullName: "Grace Hopper", companyName: "Navy" } });
    const acme = await newEntity(org.adminKey, { type: "company", attributes: { name: "Acme 100% Corp", domain: "acme.example" } });
    const ids = async (query: string) => {
      const res = await call("GET", `/v1/entities${query}`, { key: org.adminKey });
      expect(res.status, res.text).toBe(200);
      return res.json.data.map((e: { id: string }) => e.id);
    };
    expect(await ids("")).toEqual(newestFirst([ada, grace, acme]));
    expect(await ids("?type=person")).toEqual(newestFirst([ada, grace]));
    expect(await ids("?type=company")).toEqual([acme.id]);
    expect(await ids("?q=LOVELACE")).toEqual([ada.id]);
    expect(await ids("?q=engines.example")).toEqual([ada.id]);
    expect(await ids("?q=crm-ada")).toEqual([ada.id]);
    expect(await ids("?q=acme.example")).toEqual([acme.id]);
    expect(await ids("?q=navy")).toEqual([grace.id]);
    expect(await ids("?q=a&type=company")).toEqual([acme.id]);
    expect(await ids(`?q=${encodeURIComponent("100%")}`)).toEqual([acme.id]);
    expect(await ids(`?q=${encodeURIComponent("%")}`)).toEqual([acme.id]);
    expect(await ids("?q=_")).toEqual([]);
    expect(await ids("?q=nobody")).toEqual([]);
  });

  it("pages through a filtered list without duplicates or gaps", async () => {
    const org = await createOrg();
    const people: { id: string; createdAt: unknown }[] = [];
    for (let i = 0; i < 7; i++) {
      people.push(await newEntity(org.adminKey, { type: "person", attributes: { fullName: `Person ${i}` } }));
      await newEntity(org.adminKey, { type: "company", attributes: { name: `Company ${i}` } });
    }
    const pages = await walkPages(org.adminKey, "/v1/entities?type=person&limit=3");
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(newestFirst(people));
  });
});

describe("entities: errors", () => {
  it.each([
    ["an invalid email", { type: "person", attributes: { email: "not-an-email" } }, "attributes.email"],
    ["an unknown country", { type: "person", attributes: { country: "XX" } }, "attributes.country"],
    ["a three-letter country", { type: "company", attributes: { country: "GBR" } }, "attributes.country"],
    ["a country that is not a string", { type: "company", attributes: { country: 44 } }, "attributes.country"],
    ["an IP address as a domain", { type: "company", attributes: { domain: "10.0.0.1" } }, "attributes.domain"],
    ["a domain without a suffix", { type: "company", attributes: { domain: "localhost" } }, "attributes.domain"],
    ["a non-http website", { type: "company", attributes: { website: "ftp://acme.example" } }, "attributes.website"],
    ["a LinkedIn URL elsewhere", { type: "person", attributes: { linkedinUrl: "https://example.com/in/ada" } }, "attributes.linkedinUrl"],
    ["a malformed LEI", { type: "company", attributes: { lei: "123" } }, "attributes.lei"],
    ["a malformed date of birth", { type: "person", attributes: { dateOfBirth: "10/12/1815" } }, "attributes.dateOfBirth"],
    ["an empty name", { type: "person", attributes: { fullName: "   " } }, "attributes.fullName"],
    ["a nested custom value", { type: "person", attributes: { custom: { a: { b: 1 } } } }, "attributes.custom.a"],
    ["a person attribute on a company", { type: "company", attributes: { email: "a@b.example" } }, "attributes.email"],
    ["an unknown attribute", { type: "person", attributes: { shoeSize: 42 } }, "attributes.shoeSize"],
    ["an unknown top-level field", { type: "person", attributes: {}, owner: "me" }, "owner"],
    ["an unknown type", { type: "robot", attributes: {} }, "type"],
    ["no attributes", { type: "person" }, "attributes"],
    ["attributes that are not an object", { type: "person", attributes: ["a"] }, "attributes"],
    ["an empty externalId", { type: "person", externalId: "  ", attributes: {} }, "externalId"],
    ["an externalId over 255 characters", { type: "person", externalId: "x".repeat(256), attributes: {} }, "externalId"],
  ])("POST with %s is 400 naming the field", async (_label, body, path) => {
    const org = await createOrg();
    const res = await call("POST", "/v1/entities", { key: org.adminKey, body });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res)).toContain(path);
    const list = await call("GET", "/v1/entities", { key: org.adminKey });
    expect(list.json.data).toEqual([]);
  });

  it("reports every failing field at once", async () => {
    const org = await createOrg();
    const res = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "person", attributes: { email: "x", country: "ZZ", bogus: 1 } } });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res).sort()).toEqual(["attributes.bogus", "attributes.country", "attributes.email"]);
  });

  it("PATCH validates merged attributes and rejects unknown fields", async () => {
    const org = await createOrg();
    const created = await newEntity(org.adminKey, { type: "person", attributes: { email: "ada@example.com" } });
    const bad = await call("PATCH", `/v1/entities/${created.id}`, { key: org.adminKey, body: { attributes: { email: "nope" } } });
    expect(detailPaths(bad)).toEqual(["attributes.email"]);
    const unknown = await call("PATCH", `/v1/entities/${created.id}`, { key: org.adminKey, body: { type: "company" } });
    expectError(unknown, 400, "VALIDATION_ERROR");
    expect(detailPaths(unknown)).toEqual(["type"]);
    expect((await call("GET", `/v1/entities/${created.id}`, { key: org.adminKey })).json).toEqual(created);
  });

  it("a duplicate externalId in one organization is 409 on POST and PATCH", async () => {
    const org = await createOrg();
    await newEntity(org.adminKey, { type: "person", externalId: "taken", attributes: {} });
    const dup = await call("POST", "/v1/entities", { key: org.adminKey, body: { type: "company", externalId: "taken", attributes: {} } });
    expectError(dup, 409, "CONFLICT");
    const other = await newEntity(org.adminKey, { type: "person", externalId: "free", attributes: {} });
    expectError(await call("PATCH", `/v1/entities/${other.id}`, { key: org.adminKey, body: { externalId: "taken" } }), 409, "CONFLICT");
    const created = await auditEntries(org.adminKey, "action=entity.created");
    expect(created).toHaveLength(2);
  });

  it("PUT by externalId will not turn a person into a company (409)", async () => {
    const org = await createOrg();
    await newEntity(org.adminKey, { type: "person", externalId: "typed", attributes: { fullName: "Ada" } });
    const res = await call("PUT", "/v1/entities/by-external-id/typed", { key: org.adminKey, body: { type: "company", attributes: {} } });
    expectError(res, 409, "CONFLICT");
    const put = await call("PUT", "/v1/entities/by-external-id/typed", { key: org.adminKey, body: { type: "person", attributes: { bogus: 1 } } });
    expectError(put, 400, "VALIDATION_ERROR");
    expect(detailPaths(put)).toEqual(["attributes.bogus"]);
    const putExtra = await call("PUT", "/v1/entities/by-external-id/typed", { key: org.adminKey, body: { type: "person", attributes: {}, externalId: "other" } });
    expect(detailPaths(putExtra)).toEqual(["externalId"]);
  });

  it("unknown ids and externalIds are 404", async () => {
    const org = await createOrg();
    expectError(await call("GET", `/v1/entities/${crypto.randomUUID()}`, { key: org.adminKey }), 404, "NOT_FOUND");
    expectError(await call("GET", "/v1/entities/not-a-uuid", { key: org.adminKey }), 404, "NOT_FOUND");
    expectError(await call("PATCH", `/v1/entities/${crypto.randomUUID()}`, { key: org.adminKey, body: {} }), 404, "NOT_FOUND");
    expectError(await call("DELETE", `/v1/entities/${crypto.randomUUID()}`, { key: org.adminKey }), 404, "NOT_FOUND");
    expectError(await call("GET", "/v1/entities/by-external-id/nobody", { key: org.adminKey }), 404, "NOT_FOUND");
  });

  it.each([
    ["?type=robot", "type"],
    ["?limit=0", "limit"],
    ["?limit=201", "limit"],
    ["?limit=ten", "limit"],
    ["?cursor=garbage", "cursor"],
    [`?q=${"x".repeat(201)}`, "q"],
  ])("GET /v1/entities%s is 400 naming %s", async (query, path) => {
    const org = await createOrg();
    const res = await call("GET", `/v1/entities${query}`, { key: org.adminKey });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(detailPaths(res)).toContain(path);
  });
});

describe("entities: security", () => {
  it("org B's key gets 404 on org A's entity by id and by externalId, and changes nothing", async () => {
    const orgA = await createOrg();
    const orgB = await createOrg();
    const entity = await newEntity(orgA.adminKey, { type: "person", externalId: "a-only", attributes: { fullName: "Secret Person" } });
    const b = orgB.adminKey;
    expectError(await call("GET", `/v1/entities/${entity.id}`, { key: b }), 404, "NOT_FOUND");
    expectError(await call("PATCH", `/v1/entities/${entity.id}`, { key: b, body: { attributes: { fullName: "Hijacked" } } }), 404, "NOT_FOUND");
    expectError(await call("DELETE", `/v1/entities/${entity.id}`, { key: b }), 404, "NOT_FOUND");
    expectError(await call("GET", "/v1/entities/by-external-id/a-only", { key: b }), 404, "NOT_FOUND");
    const listB = await call("GET", "/v1/entities?q=secret", { key: b });
    expect(listB.json.data).toEqual([]);

    const stillA = await call("GET", `/v1/entities/${entity.id}`, { key: orgA.adminKey });
    expect(stillA.json).toEqual(entity);
  });

  it("externalIds are per organization: PUT in org B makes B's own entity", async () => {
    const orgA = await createOrg();
    const orgB = await createOrg();
    const entityA = await newEntity(orgA.adminKey, { type: "person", externalId: "shared-id", attributes: { fullName: "In A" } });
    const putB = await call("PUT", "/v1/entities/by-external-id/shared-id", { key: orgB.adminKey, body: { type: "company", attributes: { name: "In B" } } });
    expect(putB.status).toBe(201);
    expect(putB.json.id).not.toBe(entityA.id);
    const postB = await call("POST", "/v1/entities", { key: orgB.adminKey, body: { type: "person", externalId: "shared-id", attributes: {} } });
    expectError(postB, 409, "CONFLICT");
    const readA = await call("GET", "/v1/entities/by-external-id/shared-id", { key: orgA.adminKey });
    expect(readA.json).toEqual(entityA);
  });

  it("a cursor made in one org reveals nothing in another", async () => {
    const orgA = await createOrg();
    const orgB = await createOrg();
    for (let i = 0; i < 3; i++) await newEntity(orgA.adminKey, { type: "person", attributes: { fullName: `A${i}` } });
    const pageA = await call("GET", "/v1/entities?limit=1", { key: orgA.adminKey });
    const fromB = await call("GET", `/v1/entities?cursor=${pageA.json.nextCursor}`, { key: orgB.adminKey });
    expect(fromB.status).toBe(200);
    expect(fromB.json).toEqual({ data: [], nextCursor: null });
  });
});
