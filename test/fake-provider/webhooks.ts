import { registerFakeRoute } from "./registry";

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  /** The status this receiver answered with. */
  answered: number;
}

/**
 * A webhook receiver. `POST /webhooks/in/<bin>?fail=N&status=S` records the request and answers S (default 500)
 * to the first N requests of the bin, 200 afterwards; `?redirect=1` answers 307 to another bin.
 * `GET /webhooks/received/<bin>` returns every recorded request of the bin, oldest first.
 */
const bins = new Map<string, ReceivedWebhook[]>();

registerFakeRoute("webhooks", (req, body, url) => {
  const [, , action = "", bin = ""] = url.pathname.split("/");
  if (action === "received" && req.method === "GET") return { status: 200, body: bins.get(bin) ?? [] };
  if (action !== "in" || req.method !== "POST") return { status: 404, body: { error: "no such receiver route" } };
  const received = bins.get(bin) ?? [];
  bins.set(bin, received);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
  const failTimes = Number(url.searchParams.get("fail") ?? 0);
  const answered = url.searchParams.get("redirect")
    ? 307
    : received.length < failTimes
      ? Number(url.searchParams.get("status") ?? 500)
      : 200;
  received.push({ headers, body, answered });
  if (answered === 307) return { status: 307, headers: { location: `/webhooks/in/${bin}-redirected` } };
  return { status: answered, body: answered === 200 ? { ok: true } : { error: "receiver told to fail" } };
});
