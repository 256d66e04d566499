import { registerFakeRoute } from "./registry";

/**
 * A DNS-over-HTTPS resolver in the `application/dns-json` format: `GET /doh?name=…&type=MX|A`.
 * Names not listed answer NXDOMAIN (Status 3). `GET /doh/calls?name=` reads how many queries a name got.
 * The resolver itself misbehaves for some names: `resolver-down.net` (503), `resolver-500.net` (500),
 * `resolver-hangs.net` (answers after 6 s), `resolver-closes.net` (closes the connection), `resolver-garbage.net`
 * (200 with a body that is not dns-json).
 */
interface Zone {
  MX?: string[];
  A?: string[];
  /** RCODE for every query of the name (2 = SERVFAIL). */
  status?: number;
  /** The resolver itself fails with this HTTP status. */
  http?: number;
  /** The resolver hangs this long before answering. */
  hangMs?: number;
  /** The resolver closes the connection without answering. */
  closes?: boolean;
  /** The resolver answers 200 with this body, which is not dns-json. */
  garbage?: string;
  /** A CNAME in front of the answer, as resolvers report chains. */
  cname?: string;
}

const mx = (domain: string) => [`10 mx1.${domain}.`, `20 mx2.${domain}.`];

const ZONES: Record<string, Zone> = {
  "acme-widgets.com": { MX: mx("acme-widgets.com") },
  "initech.io": { MX: mx("initech.io") },
  "globex.com": { MX: mx("globex.com") },
  "umbrella-corp.com": { MX: mx("umbrella-corp.com") },
  "hooli.com": { MX: mx("hooli.com") },
  "cyberdyne.ai": { MX: mx("cyberdyne.ai") },
  "wayne-enterprises.com": { MX: mx("wayne-enterprises.com") },
  "stark-industries.com": { MX: mx("stark-industries.com") },
  "aliased-mail.com": { MX: ["5 mail.aliased-mail.com."], cname: "mailhost.aliased-mail.com." },
  "gmail.com": { MX: ["5 gmail-smtp-in.l.google.com.", "10 alt1.gmail-smtp-in.l.google.com."] },
  "mailinator.com": { MX: ["10 mail.mailinator.com."] },
  "nullmx.org": { MX: ["0 ."] },
  "a-only.net": { A: ["192.0.2.10"] },
  "no-mail.net": {},
  "servfail.net": { status: 2 },
  "resolver-down.net": { http: 503 },
  "resolver-500.net": { http: 500 },
  "resolver-hangs.net": { hangMs: 6_000, MX: mx("resolver-hangs.net") },
  "resolver-closes.net": { closes: true },
  "resolver-garbage.net": { garbage: "<html>captive portal</html>" },
};

const TYPES: Record<string, number> = { A: 1, CNAME: 5, MX: 15 };
const calls = new Map<string, number>();

registerFakeRoute("doh", (req, _body, url) => {
  const name = (url.searchParams.get("name") ?? "").toLowerCase().replace(/\.$/, "");
  if (url.pathname === "/doh/calls") return { status: 200, body: { count: calls.get(name) ?? 0 } };
  calls.set(name, (calls.get(name) ?? 0) + 1);
  const type = (url.searchParams.get("type") ?? "A").toUpperCase();
  if (req.headers.accept !== "application/dns-json") return { status: 400, body: { error: "send accept: application/dns-json" } };
  const zone = ZONES[name];
  if (zone?.http) return { status: zone.http, body: { error: "resolver unavailable" } };
  if (zone?.closes) return { status: 200, closeConnection: true };
  if (zone?.garbage) return { status: 200, headers: { "content-type": "text/html" }, body: zone.garbage };
  const question = [{ name: `${name}.`, type: TYPES[type] ?? 0 }];
  const headers = { "content-type": "application/dns-json" };
  if (!zone) return { status: 200, headers, body: { Status: 3, TC: false, RD: true, RA: true, Question: question } };
  const delayMs = zone.hangMs;
  if (zone.status) return { status: 200, headers, body: { Status: zone.status, Question: question } };
  const records = type === "MX" ? zone.MX : type === "A" ? zone.A : undefined;
  const answer = (records ?? []).map((data) => ({ name: `${zone.cname ?? `${name}.`}`, type: TYPES[type], TTL: 300, data }));
  if (zone.cname && answer.length > 0) answer.unshift({ name: `${name}.`, type: TYPES.CNAME, TTL: 300, data: zone.cname });
  return { status: 200, headers, delayMs, body: { Status: 0, TC: false, RD: true, RA: true, Question: question, ...(answer.length ? { Answer: answer } : {}) } };
});
