import { createRoute, z } from "@hono/zod-openapi";
import { authorize } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, conflictError, createRouter, idempotencyHeader, jsonResponse, notFoundError, unprocessableError } from "../../platform/http/openapi";
import { redeliver } from "./deliveries";
import { idParam } from "../tenancy";

const AttemptSchema = z
  .object({
    statusCode: z.number().int().nullable().openapi({ description: "Null when no HTTP answer came (timeout, connection error, refused URL)" }),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
    at: z.string(),
  })
  .openapi("WebhookDeliveryAttempt");

export const DeliverySchema = z
  .object({
    id: z.uuid().openapi({ description: "Also the `webhook-id` header: stable across retries, use it to drop duplicates" }),
    webhookId: z.uuid(),
    eventId: z.string(),
    eventType: z.string().openapi({ example: "enrichment.completed" }),
    status: z.enum(["pending", "delivered", "failed"]),
    attemptCount: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    failedAt: z.string().nullable(),
    createdAt: z.string(),
    attempts: z.array(AttemptSchema),
  })
  .openapi("WebhookDelivery");

const redeliverRoute = createRoute({
  method: "post",
  path: "/v1/webhook-deliveries/{id}/redeliver",
  tags: ["Webhooks"],
  summary: "Send a delivery again, from a fresh retry schedule (admin)",
  middleware: [authorize("admin"), idempotent()] as const,
  request: { params: idParam, headers: idempotencyHeader },
  responses: { 202: jsonResponse(DeliverySchema, "Queued"), ...commonErrors, ...notFoundError, ...conflictError, ...unprocessableError },
});

export const webhookDeliveryRoutes = createRouter().openapi(redeliverRoute, async (c) =>
  c.json(await redeliver(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id), 202),
);
