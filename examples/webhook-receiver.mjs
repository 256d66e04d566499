#!/usr/bin/env node
// A local endpoint for Dossier's webhooks: verifies each delivery's Standard Webhooks signature with the
// `standardwebhooks` package (using the raw body, as the signature covers it) and prints the event.
//
//   DOSSIER_WEBHOOK_SECRET=whsec_… PORT=8790 node examples/webhook-receiver.mjs
//
// Dossier delivers to 127.0.0.1 only when the server allows loopback fetches: `npm run dev -- --allow-loopback`.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const secret = process.env.DOSSIER_WEBHOOK_SECRET;
if (!secret) {
  console.error("Set DOSSIER_WEBHOOK_SECRET to the endpoint's secret (the whsec_… value POST /v1/webhooks answered).");
  process.exit(1);
}
const port = Number(process.env.PORT ?? 8790);
const webhook = new Webhook(secret);

createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/hooks/dossier") {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    try {
      // Throws on a bad signature, or a timestamp more than 5 minutes off.
      const event = webhook.verify(body, req.headers);
      console.log(`[receiver] ${event.type} (delivery ${req.headers["webhook-id"]}, signature verified)`);
      res.writeHead(204).end();
    } catch (error) {
      console.log(`[receiver] refused a delivery: ${error instanceof Error ? error.message : error}`);
      res.writeHead(400).end();
    }
  });
}).listen(port, "127.0.0.1", () => console.log(`[receiver] listening on http://127.0.0.1:${port}/hooks/dossier`));
