import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "./openapi";

const health = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  summary: "Liveness check (no auth)",
  security: [],
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }), "The Worker is up") },
});

export const healthRoutes = createRouter().openapi(health, (c) => c.json({ ok: true as const }, 200));
