// A tiny JSON API for the README checker's own tests: what a README's server block starts, on PORT.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const things = new Map();
const port = Number(process.env.PORT);
const send = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

createServer(async (req, res) => {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/healthz") return send(res, 200, { ok: true });
  if (req.method === "POST" && url.pathname === "/things") {
    const body = raw ? JSON.parse(raw) : {};
    if (typeof body.name !== "string") return send(res, 400, { error: { code: "VALIDATION_ERROR", message: "name is required" } });
    const thing = { id: randomUUID(), name: body.name, tags: ["a", "b", "c"], createdAt: new Date().toISOString() };
    things.set(thing.id, thing);
    return send(res, 201, thing);
  }
  const thing = things.get(url.pathname.replace(/^\/things\//, ""));
  if (req.method === "GET" && thing) return send(res, 200, thing);
  return send(res, 404, { error: { code: "NOT_FOUND", message: "No such thing" } });
}).listen(port, "127.0.0.1", () => console.log(`fixture running on http://localhost:${port}`));
