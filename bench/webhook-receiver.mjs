/**
 * A webhook endpoint for the fault scenario, on 127.0.0.1: `POST /hooks/<bin>` fails a configurable share of
 * attempts (503), verifies every request's Standard Webhooks signature with the bin's secret, and records
 * each attempt. A request with a bad signature is answered 401, as a real receiver would.
 */
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { Webhook } from "standardwebhooks";
import { unitHash } from "./fake-provider.mjs";

export function createWebhookReceiver({ seed = 1 } = {}) {
  /** bin → {secret, failRate, attempts: [...]} */
  const bins = new Map();
  let sequence = 0;

  const binOf = (name) => {
    let bin = bins.get(name);
    if (!bin) {
      bin = { secret: null, failRate: 0, attempts: [] };
      bins.set(name, bin);
    }
    return bin;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, root, name] = url.pathname.split("/");
    if (root !== "hooks" || !name || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString("utf8");
    const bin = binOf(name);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === "string"));
    let verified = false;
    let verifyError = null;
    let payload = null;
    try {
      if (!bin.secret) throw new Error("no secret registered for this bin");
      payload = new Webhook(bin.secret).verify(body, headers);
      verified = true;
    } catch (error) {
      verifyError = String(error?.message ?? error);
      try {
        payload = JSON.parse(body);
      } catch {
        payload = null;
      }
    }
    const failed = verified && unitHash(`${seed}|${name}|${++sequence}`) < bin.failRate;
    const status = !verified ? 401 : failed ? 503 : 200;
    bin.attempts.push({
      deliveryId: headers["webhook-id"] ?? null,
      type: payload?.type ?? null,
      data: payload?.data ?? null,
      verified,
      verifyError,
      status,
      at: performance.now(),
    });
    res.writeHead(status, { "content-type": "application/json" });
    res.end(status === 200 ? '{"ok":true}' : '{"error":"receiver refused"}');
  });

  return {
    server,
    url: "",
    async listen(port = 0) {
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      this.url = `http://127.0.0.1:${server.address().port}`;
      return this.url;
    },
    /** A new bin: its URL, and setters for the secret (known only after the webhook is created) and fail rate. */
    bin(name, { failRate = 0 } = {}) {
      const bin = binOf(name);
      bin.failRate = failRate;
      return {
        url: `${this.url}/hooks/${name}`,
        setSecret: (secret) => {
          bin.secret = secret;
        },
        attempts: () => bin.attempts,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
