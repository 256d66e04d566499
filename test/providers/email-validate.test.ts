import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/platform/db/client";
import { emailPatternObservations } from "../../src/db/schema/providers";
import { analyzeEmail } from "../../src/providers/builtin/email-address";
import { emailValidate } from "../../src/providers/builtin/email-validate";
import { builtinContext, dohCalls, personInput } from "./context";

const validate = (email: string, extra: Record<string, unknown> = {}) => emailValidate.execute(personInput({ email, ...extra }), builtinContext());

describe("email address analysis", () => {
  it("normalizes case, internationalized domains and sub-addresses", () => {
    expect(analyzeEmail("  Ada.Lovelace+News@GoogleMail.com ")).toMatchObject({
      normalized: "ada.lovelace+news@googlemail.com",
      canonical: "adalovelace@gmail.com",
      freeProvider: true,
      disposable: false,
    });
    expect(analyzeEmail("jürgen@Bücher.de")).toBeNull();
    expect(analyzeEmail("info@bücher.de")).toMatchObject({ normalized: "info@xn--bcher-kva.de", roleAddress: true });
    expect(analyzeEmail("j.doe+crm@acme-widgets.com")?.canonical).toBe("j.doe+crm@acme-widgets.com");
  });

  it("rejects what is not an address", () => {
    for (const bad of ["plainaddress", "@acme.com", "a@", "a@@b.com", "a b@c.com", "a@b", `${"x".repeat(65)}@acme.com`, "a@-acme.com"]) {
      expect(analyzeEmail(bad), bad).toBeNull();
    }
  });

  it("flags disposable domains and their subdomains from the maintained list", () => {
    expect(analyzeEmail("x@mailinator.com")?.disposable).toBe(true);
    expect(analyzeEmail("x@inbox.yopmail.com")?.disposable).toBe(true);
    expect(analyzeEmail("x@acme-widgets.com")?.disposable).toBe(false);
  });
});

describe("email_validate", () => {
  it("answers deliverable for a personal address at a domain with MX records", async () => {
    const out = await validate("Jane.Doe@Acme-Widgets.com");
    expect(out.fields).toEqual({
      emailVerdict: "deliverable",
      emailNormalized: "jane.doe@acme-widgets.com",
      emailAcceptsMail: true,
      emailDisposable: false,
      emailFreeProvider: false,
      emailRoleAddress: false,
    });
    expect(out.enrichmentData).toMatchObject({
      reasons: ["mx_found"],
      mailDomain: {
        status: "mx",
        mx: [
          { priority: 10, exchange: "mx1.acme-widgets.com" },
          { priority: 20, exchange: "mx2.acme-widgets.com" },
        ],
      },
    });
    expect(out.dataQuality.confidence).toBeGreaterThan(0.5);
  });

  it.each([
    ["sales@acme-widgets.com", "risky", ["mx_found", "role_address"]],
    ["someone@mailinator.com", "risky", ["mx_found", "disposable_domain"]],
    ["someone@gmail.com", "deliverable", ["mx_found", "free_provider"]],
    ["someone@a-only.net", "risky", ["no_mx_record_a_fallback"]],
    ["someone@nullmx.org", "undeliverable", ["null_mx"]],
    ["someone@no-mail.net", "undeliverable", ["no_mail_server"]],
    ["someone@does-not-exist.com", "undeliverable", ["domain_not_found"]],
    ["someone@servfail.net", "unknown", ["mx_lookup_failed: the domain's DNS answered SERVFAIL"]],
    ["someone@aliased-mail.com", "deliverable", ["mx_found"]],
  ])("%s is %s", async (email, verdict, reasons) => {
    const out = await validate(email);
    expect(out.fields.emailVerdict).toBe(verdict);
    expect(out.enrichmentData.reasons).toEqual(reasons);
  });

  it("does not claim whether a domain accepts mail when its DNS failed", async () => {
    const out = await validate("someone@servfail.net");
    expect(out.fields).not.toHaveProperty("emailAcceptsMail");
    expect(out.dataQuality.confidence).toBeLessThan(0.5);
  });

  it("answers bad syntax as undeliverable without a DNS query", async () => {
    const out = await validate("not-an-address@");
    expect(out.fields).toEqual({ emailVerdict: "undeliverable" });
    expect(out.enrichmentData).toMatchObject({ syntaxValid: false, reasons: ["invalid_syntax"] });
  });

  it("answers unknown, saying why and asking not to be cached, when the resolver itself is down", async () => {
    const before = await dohCalls("resolver-down.net");
    const out = await validate("someone@resolver-down.net");
    expect(out.fields.emailVerdict).toBe("unknown");
    expect(out.enrichmentData.reasons).toEqual(["mx_lookup_failed: the resolver answered HTTP 503"]);
    expect(out.cacheTtlSeconds).toBe(0);
    // A 5xx is asked once more; the DNS answer is not cached either, so the next call asks again.
    expect((await dohCalls("resolver-down.net")) - before).toBe(2);
    await validate("other@resolver-down.net");
    expect((await dohCalls("resolver-down.net")) - before).toBe(4);
  });

  it("asks the resolver once per domain within the DNS TTL", async () => {
    const before = await dohCalls("stark-industries.com");
    await validate("tony@stark-industries.com");
    await validate("pepper@stark-industries.com");
    expect((await dohCalls("stark-industries.com")) - before).toBe(1);
  });

  it("learns the domain's address format from a deliverable personal address", async () => {
    await validate("bruce.wayne@wayne-enterprises.com", { firstName: "Bruce", lastName: "Wayne" });
    await validate("info@wayne-enterprises.com", { firstName: "Alfred", lastName: "Pennyworth" });
    const rows = await createDb(env.DB).select().from(emailPatternObservations);
    const here = rows.filter((r) => r.domain === "wayne-enterprises.com");
    expect(here).toHaveLength(1);
    expect(here[0]).toMatchObject({ pattern: "first.last", source: "email_validate" });
    // Neither the address nor a plain hash of it is stored.
    expect(JSON.stringify(here)).not.toContain("bruce");
  });

  it("caches by the lower-cased address", () => {
    expect(emailValidate.lookupKey(personInput({ email: " Jane@ACME-widgets.com" }))).toBe("jane@acme-widgets.com");
  });
});
