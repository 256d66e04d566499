import { registerFakeRoute } from "./registry";

/**
 * A contact-data provider behind the `http_lookup` integrations: point an integration's baseUrl at
 * `<fake>/contacts/<behaviour>` and it calls `/contacts/<behaviour>/lookup?name=…`. Behaviours:
 * emails (two addresses derived from the name) | phones (a UK and a US number, plus a national duplicate) |
 * nothing (answers, but no contact fields) | nodata (empty answer) | 500 | hang (answers after 10 s).
 * `GET /contacts/calls?name=…` counts the lookups made for a name.
 */
const calls = new Map<string, number>();

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, ".").replace(/^\.|\.$/g, "");

registerFakeRoute("contacts", (_req, _body, url) => {
  const name = url.searchParams.get("name") ?? "";
  const [, , behaviour = "", action = ""] = url.pathname.split("/");
  if (behaviour === "calls") return { status: 200, body: { count: calls.get(name) ?? 0 } };
  if (action !== "lookup") return { status: 404, body: { error: "no such contacts route" } };
  calls.set(name, (calls.get(name) ?? 0) + 1);
  switch (behaviour) {
    case "emails":
      return {
        status: 200,
        body: { fields: { email: `${slug(name)}@example.test`, emails: [`${slug(name)}@example.test`, `${slug(name)}.alt@example.test`] }, confidence: 0.85, costCents: 4 },
      };
    case "phones":
      return {
        status: 200,
        body: { fields: { phone: "+44 20 7946 0018", mobilePhone: "+1 650 253 0000", phoneNational: "020 7946 0018", phoneValid: true }, confidence: 0.7 },
      };
    case "nothing":
      return { status: 200, body: { fields: { title: `Title of ${name}` }, confidence: 0.5 } };
    case "nodata":
      return { status: 200, body: { fields: {}, confidence: 0 } };
    case "500":
      return { status: 500, body: { error: "fake 500" } };
    case "hang":
      return { status: 200, delayMs: 10_000, body: { fields: { email: "late@example.test" }, confidence: 1 } };
  }
  return { status: 404, body: { error: `unknown behaviour ${behaviour}` } };
});
