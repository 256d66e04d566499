import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { allResults, slowOrg, slowScenario, waitForJob } from "./helpers";

const uploadCsv = (key: string, csv: string, query = "integrationCodes=phone_normalize&type=person") =>
  call("POST", `/v1/jobs?${query}`, { key, rawBody: csv, headers: { "content-type": "text/csv" } });

const resultsCsv = async (key: string, jobId: string) => {
  const res = await call("GET", `/v1/jobs/${jobId}/results.csv`, { key });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/csv");
  return res.text;
};

const parse = (text: string) => Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });

const entityOf = async (key: string, id: string) => (await call("GET", `/v1/entities/${id}`, { key })).json;

describe("GET /v1/jobs/{id}/results.csv", () => {
  it("puts the input first, then the fields found, a status and an error per integration; CRLF rows and a final CRLF", async () => {
    const org = await createOrg();
    const t = crypto.randomUUID().slice(0, 8);
    const csv = [
      "Record ID,First Name,Last Name,Phone,Country,City",
      `${t}-1,Grace,Hopper,+1 415 555 0100,US,Arlington`,
      `${t}-2,Barbara,Liskov,,US,Boston`,
    ].join("\n");
    const job = await uploadCsv(org.adminKey, csv);
    await waitForJob(org.adminKey, job.json.jobId);
    const text = await resultsCsv(org.adminKey, job.json.jobId);

    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const lines = text.split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]?.split(",")).toEqual([
      "entityId",
      "externalId",
      "type",
      "fullName",
      "firstName",
      "lastName",
      "phone",
      "country",
      "custom.city",
      "enriched.phoneCountry",
      "enriched.phoneE164",
      "enriched.phoneInternational",
      "enriched.phoneLineType",
      "enriched.phoneNational",
      "enriched.phoneValid",
      "status",
      "credits",
      "costCents",
      "phone_normalize.status",
      "phone_normalize.errorCode",
      "phone_normalize.error",
    ]);
    const [grace, barbara] = parse(text).data;
    expect(grace).toMatchObject({
      externalId: `${t}-1`,
      type: "person",
      fullName: "Grace Hopper",
      "custom.city": "Arlington",
      // A plain E.164 number is written as it is; the phone as typed starts with + and has spaces: neutralised.
      "enriched.phoneE164": "+14155550100",
      phone: "'+1 415 555 0100",
      status: "succeeded",
      "phone_normalize.status": "succeeded",
      "phone_normalize.errorCode": "",
      "phone_normalize.error": "",
    });
    expect(barbara).toMatchObject({
      externalId: `${t}-2`,
      phone: "",
      "enriched.phoneE164": "",
      status: "failed",
      "phone_normalize.status": "failed",
      "phone_normalize.errorCode": "MISSING_INPUT",
      "phone_normalize.error": "Needs phone",
    });
  });

  it("is re-importable: posting it back creates a job of the same entities, with the same attributes", async () => {
    const org = await createOrg();
    const t = crypto.randomUUID().slice(0, 8);
    const csv = [
      "Type,Record ID,Name,E-mail,Mobile Phone,Company,Website,Country/Region,State,Title",
      `person,${t}-1,Grace Hopper,grace@example.com,+1 415 555 0100,Navy,navy.example,United States,VA,"Rear Admiral, ret."`,
      `person,${t}-2,Alan Turing,alan@example.org,020 7946 0321,Bletchley,bletchley.example,United Kingdom,,"=HYPERLINK(""http://x.example"")"`,
      `company,${t}-3,Engines Ltd,,,,https://engines.example/about,GB,,`,
    ].join("\n");
    // In a mixed file "Company" would also be a company's name, beside "Name": it is the people's employer here.
    const columns = encodeURIComponent(JSON.stringify({ Company: "companyName" }));
    const first = await uploadCsv(org.adminKey, csv, `integrationCodes=phone_normalize&columns=${columns}`);
    expect(first.status).toBe(202);
    expect(first.json.skippedRows).toEqual([]);
    await waitForJob(org.adminKey, first.json.jobId);
    const firstIds = (await allResults(org.adminKey, first.json.jobId)).map((r) => r.entityId);
    const before = await Promise.all(firstIds.map((id) => entityOf(org.adminKey, id)));
    const exported = await resultsCsv(org.adminKey, first.json.jobId);

    // The whole file, as downloaded.
    const again = await uploadCsv(org.adminKey, exported, "integrationCodes=phone_normalize");
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ entityCount: 3, skippedRows: [], unmappedColumns: [] });
    await waitForJob(org.adminKey, again.json.jobId);
    expect((await allResults(org.adminKey, again.json.jobId)).map((r) => r.entityId)).toEqual(firstIds);

    // Without the entityId column the rows upsert by externalId: still the same entities, attributes unchanged.
    const rows = parse(exported);
    const withoutIds = Papa.unparse(
      { fields: (rows.meta.fields ?? []).filter((f) => f !== "entityId"), data: rows.data.map((r) => (rows.meta.fields ?? []).filter((f) => f !== "entityId").map((f) => r[f] ?? "")) },
      { newline: "\r\n" },
    );
    const third = await uploadCsv(org.adminKey, withoutIds, "integrationCodes=phone_normalize");
    expect(third.status).toBe(202);
    expect(third.json.skippedRows).toEqual([]);
    await waitForJob(org.adminKey, third.json.jobId);
    expect((await allResults(org.adminKey, third.json.jobId)).map((r) => r.entityId)).toEqual(firstIds);
    const after = await Promise.all(firstIds.map((id) => entityOf(org.adminKey, id)));
    expect(after.map((e) => [e.type, e.externalId, e.attributes])).toEqual(before.map((e) => [e.type, e.externalId, e.attributes]));
    // The formula went out neutralised and came back as it was.
    expect(rows.data[1]?.title).toBe(`'=HYPERLINK("http://x.example")`);
    expect(after[1].attributes.title).toBe(`=HYPERLINK("http://x.example")`);
    expect(after[0].attributes).toMatchObject({ phone: "+1 415 555 0100", country: "US", custom: { state: "VA" }, title: "Rear Admiral, ret." });
  });

  it("neutralises only what a spreadsheet would run: formulas yes, numbers and E.164 phones no", async () => {
    const org = await createOrg();
    const t = crypto.randomUUID().slice(0, 8);
    const values = {
      formula: "=1+2",
      at: "@SUM(A1)",
      minusText: "-x",
      tab: "\tindented",
      negative: "-5",
      decimal: "+3.25",
      e164: "+14155550100",
      plain: "hello, world",
    };
    const res = await call("POST", "/v1/jobs", {
      key: org.adminKey,
      body: { entities: [{ type: "person", externalId: `${t}-f`, attributes: { fullName: "F", phone: "+14155550100", custom: values } }], integrationCodes: ["phone_normalize"] },
    });
    await waitForJob(org.adminKey, res.json.jobId);
    const text = await resultsCsv(org.adminKey, res.json.jobId);
    const [row] = parse(text).data;
    expect(row).toMatchObject({
      "custom.formula": "'=1+2",
      "custom.at": "'@SUM(A1)",
      "custom.minusText": "'-x",
      "custom.tab": "'\tindented",
      "custom.negative": "-5",
      "custom.decimal": "+3.25",
      "custom.e164": "+14155550100",
      "custom.plain": "hello, world",
      phone: "+14155550100",
      "enriched.phoneE164": "+14155550100",
    });
    expect(text).toContain('"hello, world"');
    // Back in: every value as it was.
    const again = await uploadCsv(org.adminKey, text, "integrationCodes=phone_normalize");
    expect(again.status).toBe(202);
    const entity = await entityOf(org.adminKey, row?.entityId ?? "");
    expect(entity.attributes.custom).toEqual(values);
  });

  it("reports each integration's error message in its own column", async () => {
    const org = await slowOrg();
    const res = await call("POST", "/v1/jobs", {
      key: org.adminKey,
      body: { entities: [{ type: "person", attributes: { fullName: "p1 fail500" } }], integrationCodes: ["http_lookup", "phone_normalize"], params: { scenario: slowScenario() } },
    });
    await waitForJob(org.adminKey, res.json.jobId);
    const [row] = parse(await resultsCsv(org.adminKey, res.json.jobId)).data;
    expect(row).toMatchObject({
      status: "failed",
      "http_lookup.status": "failed",
      "http_lookup.errorCode": "HTTP_500",
      "phone_normalize.status": "failed",
      "phone_normalize.errorCode": "MISSING_INPUT",
      "phone_normalize.error": "Needs phone",
    });
    expect(row?.["http_lookup.error"]).toContain("Provider answered 500");
  });
});
