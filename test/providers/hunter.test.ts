import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { enrichWith, expectSecretNowhere, fakeUrl, newEntity, orgWithIntegration, randomCode, receivedBy } from "./helpers";

const API_KEY = `hunter-${randomCode(20)}`;
const setup = (code: string, apiKey = API_KEY) => orgWithIntegration(code, { config: { baseUrl: fakeUrl("hunter") }, credentials: { apiKey } });
const domain = (prefix = "co") => `${prefix}-${randomCode(8).toLowerCase()}.example.com`;

describe("hunter_email_finder", () => {
  it("finds a work email from name and company domain, with Hunter's score as confidence", async () => {
    const org = await setup("hunter_email_finder");
    const d = domain();
    const id = await newEntity(org.adminKey, "person", { firstName: "Ada", lastName: "Lovelace", companyDomain: `https://www.${d}/about` });
    const { res, result } = await enrichWith(org.adminKey, id, "hunter_email_finder");
    expect(result).toMatchObject({ success: true, credits: 2, costCents: 3 });
    expect(result.result.dataQuality.confidence).toBe(0.91);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(entity.json.enriched.email).toMatchObject({ value: `ada.lovelace@${d}`, source: "hunter_email_finder", confidence: 0.91 });
    expect(entity.json.enriched.jobTitle.value).toBe("Chief Technology Officer");
    expect(entity.json.enriched.linkedinUrl.value).toBe("https://www.linkedin.com/in/ada-lovelace");
    expect(entity.json.enriched.twitterUrl.value).toBe("https://x.com/adalovelace");
    expect(entity.json.enriched.phoneE164.value).toBe("+442071234567");
    expect(result.result.enrichmentData.verification).toEqual({ status: "valid", date: "2024-05-01" });
    const [request] = await receivedBy("hunter", d);
    expect(request?.path).toBe("/hunter/v2/email-finder");
    expect(request?.query).toEqual({ domain: d, first_name: "Ada", last_name: "Lovelace" });
    expect(request?.headers["x-api-key"]).toBe(API_KEY);
    await expectSecretNowhere(org.adminKey, id, API_KEY, [res]);
  });

  it("answers NO_DATA when Hunter finds no email, and for a person who opted out (451)", async () => {
    const org = await setup("hunter_email_finder");
    const none = await newEntity(org.adminKey, "person", { fullName: "Nobody Known", companyDomain: domain("xnon") });
    expect((await enrichWith(org.adminKey, none, "hunter_email_finder")).result.error).toMatchObject({ code: "NO_DATA", category: "no_data" });
    const claimed = await newEntity(org.adminKey, "person", { fullName: "Opted Out", companyDomain: domain("x451") });
    expect((await enrichWith(org.adminKey, claimed, "hunter_email_finder")).result.error).toMatchObject({ code: "NO_DATA", category: "no_data" });
  });

  it.each([
    ["x403", { code: "RATE_LIMITED", category: "rate_limit", retryable: true, statusCode: 403 }, 3],
    ["x429", { code: "RATE_LIMITED", category: "rate_limit", retryable: false, statusCode: 429 }, 1],
    ["x500", { code: "HTTP_500", category: "provider_failure", retryable: true, statusCode: 500 }, 3],
  ])("maps Hunter answering %s by its documented meaning", async (prefix, error, attempts) => {
    const org = await setup("hunter_email_finder");
    const d = domain(prefix);
    const id = await newEntity(org.adminKey, "person", { fullName: "Ada Lovelace", companyDomain: d });
    const { result } = await enrichWith(org.adminKey, id, "hunter_email_finder");
    expect(result.error).toMatchObject(error);
    expect(await receivedBy("hunter", d)).toHaveLength(attempts);
  });

  it("retries a usage limit that says when to come back", async () => {
    const org = await setup("hunter_email_finder");
    const d = domain("y429");
    const id = await newEntity(org.adminKey, "person", { fullName: "Ada Lovelace", companyDomain: d });
    expect((await enrichWith(org.adminKey, id, "hunter_email_finder")).result).toMatchObject({ success: true, attempts: 2 });
  });

  it("answers AUTH_ERROR with Hunter's error id for a rejected key", async () => {
    const org = await setup("hunter_email_finder", "revoked");
    const id = await newEntity(org.adminKey, "person", { fullName: "Ada Lovelace", companyName: "Example Widgets" });
    const { result } = await enrichWith(org.adminKey, id, "hunter_email_finder");
    expect(result.error).toMatchObject({ code: "AUTH_ERROR", statusCode: 401 });
    expect(result.error.message).toContain("authentication_failed");
    const [request] = await receivedBy("hunter", "Example Widgets");
    expect(request?.query).toEqual({ company: "Example Widgets", full_name: "Ada Lovelace" });
  });
});

describe("hunter_email_verifier", () => {
  it("maps Hunter's verification into the email fields", async () => {
    const org = await setup("hunter_email_verifier");
    const email = `ada.${randomCode(8).toLowerCase()}@example.com`;
    const id = await newEntity(org.adminKey, "person", { email });
    const { result } = await enrichWith(org.adminKey, id, "hunter_email_verifier");
    expect(result).toMatchObject({ success: true, credits: 1 });
    expect(result.result.dataQuality.confidence).toBe(0.96);
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    const values = Object.fromEntries(Object.entries(entity.json.enriched).map(([k, v]) => [k, (v as { value: unknown }).value]));
    expect(values).toEqual({ emailVerdict: "deliverable", emailDisposable: false, emailFreeProvider: false, emailAcceptsMail: true, emailAcceptAll: false });
    expect(result.result.enrichmentData).toMatchObject({ status: "valid", smtp_check: true, sources: 1 });
    const [request] = await receivedBy("hunter", email);
    expect(request?.query).toEqual({ email });
    expect(request?.headers["x-api-key"]).toBe(API_KEY);
  });

  it("calls a catch-all domain risky", async () => {
    const org = await setup("hunter_email_verifier");
    const id = await newEntity(org.adminKey, "person", { email: `catchall.${randomCode(6).toLowerCase()}@example.com` });
    await enrichWith(org.adminKey, id, "hunter_email_verifier");
    const entity = await call("GET", `/v1/entities/${id}`, { key: org.adminKey });
    expect(entity.json.enriched.emailVerdict).toMatchObject({ value: "risky", confidence: 0.7 });
    expect(entity.json.enriched.emailAcceptAll.value).toBe(true);
  });

  it("asks again while Hunter answers 202 (verification in progress)", async () => {
    const org = await setup("hunter_email_verifier");
    const email = `y202.${randomCode(6).toLowerCase()}@example.com`;
    const id = await newEntity(org.adminKey, "person", { email });
    expect((await enrichWith(org.adminKey, id, "hunter_email_verifier")).result).toMatchObject({ success: true, attempts: 2 });
    expect(await receivedBy("hunter", email)).toHaveLength(2);
  });

  it("needs an email", async () => {
    const org = await setup("hunter_email_verifier");
    const id = await newEntity(org.adminKey, "person", { fullName: "Ada Lovelace" });
    expect((await enrichWith(org.adminKey, id, "hunter_email_verifier")).result.error).toMatchObject({ code: "MISSING_INPUT", category: "validation" });
  });
});
