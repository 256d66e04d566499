import { describe, expect, it } from "vitest";
import { call, createOrg } from "../helpers/api";
import { getJob, waitForJob } from "./helpers";

const uploadCsv = (key: string, csv: string, query = "integrationCodes=phone_normalize&type=person") =>
  call("POST", `/v1/jobs?${query}`, { key, rawBody: csv, headers: { "content-type": "text/csv" } });

const byExternalId = async (key: string, externalId: string) => (await call("GET", `/v1/entities/by-external-id/${encodeURIComponent(externalId)}`, { key })).json;

const tag = () => crypto.randomUUID().slice(0, 8);

describe("CSV uploads: headers as CRM exports write them", () => {
  it("maps HubSpot/Salesforce-style headers to attributes, country names to codes, and reports what it ignored", async () => {
    const org = await createOrg();
    const t = tag();
    const csv = [
      "Record ID,First Name,Last Name,E-mail,Phone Number,Company Name,Company Domain,Job Title,Country/Region,LinkedIn URL,City,Lead Status",
      `hs-${t}-1,Grace,Hopper,Grace@Example.com,+1 202 555 0143,Example Inc,https://www.example.com,Rear Admiral,United States,https://www.linkedin.com/in/grace,Arlington,Open`,
      `hs-${t}-2,Alan,Turing,alan@example.org,020 7946 0321,Example Ltd,example.org,Mathematician,United Kingdom,,London,New`,
    ].join("\r\n");
    const res = await uploadCsv(org.adminKey, csv);
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ entityCount: 2, unmappedColumns: ["Lead Status"], skippedRows: [] });
    expect(res.json.columns).toEqual({
      "Record ID": "externalId",
      "First Name": "firstName",
      "Last Name": "lastName",
      "E-mail": "email",
      "Phone Number": "phone",
      "Company Name": "companyName",
      "Company Domain": "companyDomain",
      "Job Title": "title",
      "Country/Region": "country",
      "LinkedIn URL": "linkedinUrl",
      City: "custom.city",
      "Lead Status": "ignore",
    });
    const grace = await byExternalId(org.adminKey, `hs-${t}-1`);
    expect(grace.attributes).toEqual({
      firstName: "Grace",
      lastName: "Hopper",
      fullName: "Grace Hopper",
      email: "grace@example.com",
      phone: "+1 202 555 0143",
      companyName: "Example Inc",
      companyDomain: "example.com",
      title: "Rear Admiral",
      country: "US",
      linkedinUrl: "https://www.linkedin.com/in/grace",
      custom: { city: "Arlington" },
    });
    expect((await byExternalId(org.adminKey, `hs-${t}-2`)).attributes).toMatchObject({ country: "GB", custom: { city: "London" } });
    expect((await waitForJob(org.adminKey, res.json.jobId)).counts).toMatchObject({ total: 2, succeeded: 2 });
  });

  it("reads Apollo and Pipedrive spellings and Dossier's own names in any case or punctuation", async () => {
    const org = await createOrg();
    const t = tag();
    const apollo = ["First Name,Last Name,Title,Company,Email,Mobile Phone,Person Linkedin Url,Website,Country,Apollo Contact Id", `Ada,Lovelace,Analyst,Engines Ltd,ada.${t}@example.com,020 7946 0958,linkedin.com/in/ada,engines.example,GB,a1`].join("\n");
    const a = await uploadCsv(org.adminKey, apollo);
    expect(a.status).toBe(202);
    expect(a.json.unmappedColumns).toEqual(["Apollo Contact Id"]);
    const pipedrive = ["person_name,EMAIL_ADDRESS,Job-Title?,external id", `Charles Babbage,cb.${t}@example.com,Engineer,pd-${t}`].join("\n");
    const p = await uploadCsv(org.adminKey, pipedrive);
    expect(p.status).toBe(202);
    expect(p.json.columns).toEqual({ person_name: "fullName", EMAIL_ADDRESS: "email", "Job-Title?": "title", "external id": "externalId" });
    expect(p.json.unmappedColumns).toEqual([]);
    expect((await byExternalId(org.adminKey, `pd-${t}`)).attributes).toMatchObject({ fullName: "Charles Babbage", email: `cb.${t}@example.com`, title: "Engineer" });
  });

  it("refuses two headers that map to one attribute with a 400 naming both, which `columns` resolves", async () => {
    const org = await createOrg();
    const csv = ["First Name,Email,Work Email,Notes", `Ada,ada@example.com,ada@work.example,likes engines`].join("\n");
    const res = await uploadCsv(org.adminKey, csv);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("VALIDATION_ERROR");
    expect(res.json.error.message).toContain('Columns "Email" and "Work Email" both map to email');
    expect(res.json.error.details[0]).toMatchObject({ path: "columns", columns: ["Email", "Work Email"], attribute: "email" });
    expect((await call("GET", "/v1/jobs", { key: org.adminKey })).json.data).toHaveLength(0);

    const columns = encodeURIComponent(JSON.stringify({ "Work Email": "custom.workEmail", Notes: "custom.notes" }));
    const fixed = await uploadCsv(org.adminKey, csv, `integrationCodes=phone_normalize&type=person&columns=${columns}`);
    expect(fixed.status).toBe(202);
    expect(fixed.json.columns).toMatchObject({ Email: "email", "Work Email": "custom.workEmail", Notes: "custom.notes" });
    const job = await waitForJob(org.adminKey, fixed.json.jobId);
    const [result] = (await call("GET", `/v1/jobs/${job.id}/results`, { key: org.adminKey })).json.data;
    const entity = (await call("GET", `/v1/entities/${result.entityId}`, { key: org.adminKey })).json;
    expect(entity.attributes).toMatchObject({ email: "ada@example.com", custom: { workEmail: "ada@work.example", notes: "likes engines" } });
  });

  it("`columns` maps any header, may ignore one, and is checked: unknown targets, absent headers and bad JSON are 400", async () => {
    const org = await createOrg();
    const t = tag();
    const csv = ["Kontakt,Mobil,Firma,Owner,Segment", `Ada Lovelace,+44 20 7946 0958,Engines,someone,${t}`].join("\n");
    const good = encodeURIComponent(JSON.stringify({ Kontakt: "fullName", Mobil: "phone", Firma: "companyName", Owner: "ignore", Segment: "externalId" }));
    const res = await uploadCsv(org.adminKey, csv, `integrationCodes=phone_normalize&type=person&columns=${good}`);
    expect(res.status).toBe(202);
    expect(res.json.unmappedColumns).toEqual([]);
    expect((await byExternalId(org.adminKey, t)).attributes).toEqual({ fullName: "Ada Lovelace", phone: "+44 20 7946 0958", companyName: "Engines" });

    const cases: [Record<string, unknown> | string, string][] = [
      [{ Kontakt: "shoeSize" }, "columns.Kontakt"],
      [{ Kontakt: 7 }, "columns.Kontakt"],
      [{ Nachname: "lastName" }, "columns.Nachname"],
      [{ Kontakt: "name" }, "columns.Kontakt"],
      ["[1,2]", "columns"],
      ["{not json", "columns"],
    ];
    for (const [mapping, path] of cases) {
      const raw = typeof mapping === "string" ? mapping : JSON.stringify(mapping);
      const bad = await uploadCsv(org.adminKey, csv, `integrationCodes=phone_normalize&type=person&columns=${encodeURIComponent(raw)}`);
      expect(bad.status, raw).toBe(400);
      expect(bad.json.error.details[0].path, raw).toBe(path);
    }
  });
});

describe("CSV uploads: invalid rows", () => {
  /**
   * Spreadsheet rows (the header is row 1): 2 ok, 3 bad email, 4 blank, 5 ok with a cell over two lines, 6 bad
   * country and no name problem, 7 ok, 8 bad date of birth and bad LinkedIn URL.
   */
  const file = (t: string) =>
    [
      "External ID,Full Name,E-mail,Country,LinkedIn URL,Date of Birth,Notes",
      `${t}-2,Ada Lovelace,ada@example.com,GB,,,`,
      `${t}-3,Charles Babbage,not-an-email,GB,,,`,
      "",
      `${t}-5,Grace Hopper,grace@example.com,US,,,"two`,
      `lines"`,
      `${t}-6,Alan Turing,alan@example.org,Narnia,,,`,
      `${t}-7,Hedy Lamarr,hedy@example.com,AT,,,`,
      `${t}-8,Edsger Dijkstra,edsger@example.nl,NL,https://example.com/ed,31/12/1930,`,
      "",
    ].join("\n");

  it("skips them by default: listed with their spreadsheet row numbers and field errors, counted on the job", async () => {
    const org = await createOrg();
    const t = tag();
    const res = await uploadCsv(org.adminKey, file(t), "integrationCodes=phone_normalize&type=person&columns=%7B%22Notes%22%3A%22custom.notes%22%7D");
    expect(res.status).toBe(202);
    expect(res.json.entityCount).toBe(3);
    const expected = [
      { row: 3, errors: [{ column: "E-mail", path: "email", message: "Must be an email address", code: "invalid_format" }] },
      { row: 6, errors: [{ column: "Country", path: "country", message: "Must be an ISO 3166-1 alpha-2 country code", code: "custom" }] },
      {
        row: 8,
        errors: [
          { column: "LinkedIn URL", path: "linkedinUrl", message: "Must be a linkedin.com URL", code: "custom" },
          { column: "Date of Birth", path: "dateOfBirth", message: "Use YYYY, YYYY-MM or YYYY-MM-DD", code: "invalid_format" },
        ],
      },
    ];
    expect(res.json.skippedRows).toEqual(expected);

    const job = await getJob(org.adminKey, res.json.jobId);
    expect(job).toMatchObject({ entityCount: 3, skippedRowCount: 3, skippedRows: expected });
    expect(job.counts.total).toBe(3);
    const listed = (await call("GET", "/v1/jobs", { key: org.adminKey })).json.data[0];
    expect(listed).toMatchObject({ id: res.json.jobId, skippedRowCount: 3 });
    expect(listed).not.toHaveProperty("skippedRows");
    expect((await byExternalId(org.adminKey, `${t}-5`)).attributes.custom).toEqual({ notes: "two\nlines" });
    for (const row of [3, 6, 8]) expect((await call("GET", `/v1/entities/by-external-id/${t}-${row}`, { key: org.adminKey })).status).toBe(404);
  });

  it("onInvalidRow=reject refuses the whole file, listing every bad row, and writes nothing", async () => {
    const org = await createOrg();
    const t = tag();
    const res = await uploadCsv(org.adminKey, file(t), "integrationCodes=phone_normalize&type=person&onInvalidRow=reject");
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("3 row(s) of the CSV are invalid");
    expect(res.json.error.details).toEqual([
      { path: "row 3.email", row: 3, column: "E-mail", message: "Must be an email address", code: "invalid_format" },
      { path: "row 6.country", row: 6, column: "Country", message: "Must be an ISO 3166-1 alpha-2 country code", code: "custom" },
      { path: "row 8.linkedinUrl", row: 8, column: "LinkedIn URL", message: "Must be a linkedin.com URL", code: "custom" },
      { path: "row 8.dateOfBirth", row: 8, column: "Date of Birth", message: "Use YYYY, YYYY-MM or YYYY-MM-DD", code: "invalid_format" },
    ]);
    expect((await call("GET", "/v1/jobs", { key: org.adminKey })).json.data).toHaveLength(0);
    expect((await call("GET", "/v1/entities", { key: org.adminKey })).json.data).toHaveLength(0);
    const bad = await uploadCsv(org.adminKey, file(t), "integrationCodes=phone_normalize&type=person&onInvalidRow=maybe");
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe("onInvalidRow");
  });

  it("caps the listed problems of a refused file like every error's details", async () => {
    const org = await createOrg();
    const rows = Array.from({ length: 60 }, (_, i) => `p${i},bad-${i}`);
    const res = await uploadCsv(org.adminKey, ["externalId,email", ...rows, "ok,ok@example.com"].join("\n"), "integrationCodes=phone_normalize&type=person&onInvalidRow=reject");
    expect(res.status).toBe(400);
    expect(res.json.error.details).toHaveLength(51);
    expect(res.json.error.details[50]).toMatchObject({ code: "truncated", omitted: 10 });
  });

  it("a file where every row is invalid is a 400, not an empty job", async () => {
    const org = await createOrg();
    const res = await uploadCsv(org.adminKey, ["Email,Country", "nope,GB", "ok@example.com,XX"].join("\n"));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("Every row of the CSV is invalid");
    expect(res.json.error.details.map((d: { path: string }) => d.path)).toEqual(["row 2.email", "row 3.country"]);
    const headerOnly = await uploadCsv(org.adminKey, "Email,Country\n");
    expect(headerOnly.status).toBe(400);
    expect((await call("GET", "/v1/jobs", { key: org.adminKey })).json.data).toHaveLength(0);
  });

  it("skips rows without a usable type, repeating an entity, or naming an unknown entity id", async () => {
    const org = await createOrg();
    const t = tag();
    const csv = [
      "Type,Record ID,Name,Domain,entityId",
      `Contact,${t}-a,Ada Lovelace,,`,
      `Account,${t}-b,Engines Ltd,engines.example,`,
      `robot,${t}-c,R2,,`,
      `person,${t}-a,Ada Again,,`,
      `,,,,${crypto.randomUUID()}`,
    ].join("\n");
    const res = await call("POST", "/v1/jobs?integrationCodes=phone_normalize", { key: org.adminKey, rawBody: csv, headers: { "content-type": "text/csv" } });
    expect(res.status).toBe(202);
    expect(res.json.entityCount).toBe(2);
    // A file of both types: where a header means another attribute for companies, the answer says so.
    expect(res.json.columns).toEqual({
      Type: "type",
      "Record ID": "externalId",
      Name: "fullName (company: name)",
      Domain: "companyDomain (company: domain)",
      entityId: "entityId",
    });
    expect(res.json.skippedRows).toEqual([
      { row: 4, errors: [{ column: "Type", path: "type", message: "Must be person or company, not 'robot'", code: "invalid_value" }] },
      { row: 5, errors: [{ column: "Record ID", path: "externalId", message: "Same entity as row 2", code: "duplicate" }] },
      { row: 6, errors: [{ column: "entityId", path: "entityId", message: "No such entity in this organization", code: "not_found" }] },
    ]);
    expect((await byExternalId(org.adminKey, `${t}-b`)).attributes).toEqual({ name: "Engines Ltd", domain: "engines.example" });
    // Without a type column or ?type=, a row's type is missing.
    const untyped = await call("POST", "/v1/jobs?integrationCodes=phone_normalize", { key: org.adminKey, rawBody: "Full Name\nAda", headers: { "content-type": "text/csv" } });
    expect(untyped.status).toBe(400);
    expect(untyped.json.error.details[0]).toMatchObject({ path: "row 2.type", code: "missing" });
  });
});
