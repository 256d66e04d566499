import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { detailPaths, expectError } from "../tenancy/support";
import { fakeUrl, newEntity, randomLei } from "./helpers";

/** An adapter's `config.baseUrl` passes the outbound guard when saved, like webhook and custom integration URLs. */
const refused = ["file:///etc/passwd", "javascript:alert(1)", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:10.0.0.1]/", "http://[::127.0.0.1]/"];

describe("PUT /v1/integrations/{code} checks config.baseUrl", () => {
  it.each(["http_lookup", "gleif_lei", "hunter_email_finder", "pdl_person_enrich", "opensanctions_match", "companies_house"])(
    "%s refuses addresses the guard refuses, with 400 at config.baseUrl, and keeps the old config",
    async (code) => {
      const org = await createOrg();
      const good = await call("PUT", `/v1/integrations/${code}`, { key: org.adminKey, body: { config: { baseUrl: fakeUrl("anything") } } });
      expect(good.status, good.text).toBe(200);
      for (const baseUrl of refused) {
        const res = await call("PUT", `/v1/integrations/${code}`, { key: org.adminKey, body: { enabled: true, config: { baseUrl } } });
        expectError(res, 400, "VALIDATION_ERROR");
        expect(detailPaths(res), baseUrl).toEqual(["config.baseUrl"]);
      }
      const list = await call("GET", "/v1/integrations", { key: org.adminKey });
      expect(list.json.data.find((i: { code: string }) => i.code === code).config).toEqual(expect.objectContaining({ baseUrl: fakeUrl("anything") }));
    },
  );

  it("still checks the address on every fetch (a row stored before the save-time check)", async () => {
    const org = await createOrg();
    const config = JSON.stringify({ baseUrl: "http://169.254.169.254/latest", __credentialNames: [] });
    await env.DB.prepare("INSERT INTO integration_settings (org_id, code, enabled, config, credentials_encrypted, updated_at) VALUES (?, 'gleif_lei', 1, ?, NULL, ?)")
      .bind(org.orgId, config, new Date().toISOString())
      .run();
    const id = await newEntity(org.adminKey, "company", { lei: randomLei("PAR") });
    const res = await call("POST", `/v1/entities/${id}/enrichments`, { key: org.adminKey, body: { integrationCodes: ["gleif_lei"] } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.results[0].error).toMatchObject({ code: "SYSTEM", category: "system" });
    expect(res.json.results[0].error.message).toMatch(/Outbound URL refused: Address range 'linkLocal'/);
  });
});
