import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { fakeRoutes, registerFakeRoute } from "./registry";
import "./routes";

/** Call counters keyed by the `scenario` query parameter (or the path); `GET /calls?key=` reads one. */
const counters = new Map<string, number>();

registerFakeRoute("calls", (_req, _body, url) => ({ status: 200, body: { count: counters.get(url.searchParams.get("key") ?? "") ?? 0 } }));

export async function startFakeProvider(port = 0) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const [, prefix = ""] = url.pathname.split("/");
      const key = url.searchParams.get("scenario") ?? url.pathname;
      if (prefix !== "calls") counters.set(key, (counters.get(key) ?? 0) + 1);
      const answer = fakeRoutes.get(prefix)?.(req, Buffer.concat(chunks).toString("utf8"), url) ?? { status: 404, body: { error: "no such fake route" } };
      const send = () => {
        if (res.destroyed) return;
        if (answer.closeConnection) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
