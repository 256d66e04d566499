import { createRoute, z } from "@hono/zod-openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import { type Router, commonErrors, createRouter, idempotencyHeader, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../platform/http/openapi";
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, presentWebhook, updateWebhook } from "./webhooks";
import { listDeliveries, sendTestDelivery } from "./deliveries";
import { DeliverySchema } from "./deliveries.routes";
import { idParam } from "../tenancy";

/**
 * The webhook routes. Their event enum is every event the features declare in their manifests (`webhookEvents`),
 * so the wiring builds them once it has the list; the OpenAPI document shows the enum as before.
 */
export function webhookRoutes(eventTypes: readonly [string, ...string[]]): Router {
  const EventType = z.enum(eventTypes).openapi("WebhookEventType");
  const Url = z
    .url()
    .max(2048)
    .openapi({ description: "http(s) endpoint; private, loopback and metadata addresses are refused.", example: "https://hooks.example.com/dossier" });
  const Events = z.array(EventType).min(1).max(eventTypes.length);
  const Description = z.string().trim().max(500).nullable();

  const WebhookSchema = z
    .object({
      id: z.uuid(),
      url: z.string(),
      description: z.string().nullable(),
      events: z.array(EventType),
      enabled: z.boolean(),
      disabledReason: z.enum(["failing"]).nullable().openapi({ description: "\"failing\" when Dossier disabled it after days of failed deliveries" }),
      failingSince: z.string().nullable().openapi({ description: "First failed attempt since the last success" }),
      lastSuccessAt: z.string().nullable(),
      createdAt: z.string(),
      updatedAt: z.string(),
    })
    .openapi("Webhook");

  const CreatedWebhookSchema = WebhookSchema.extend({
    secret: z.string().openapi({ description: "Standard Webhooks signing secret (whsec_…). Shown only in this response.", example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
  }).openapi("CreatedWebhook");

  const CreateWebhookBody = z
    .strictObject({ url: Url, events: Events, enabled: z.boolean().optional(), description: Description.optional() })
    .openapi("CreateWebhook");

  const PatchWebhookBody = z
    .strictObject({ url: Url.optional(), events: Events.optional(), enabled: z.boolean().optional(), description: Description.optional() })
    .refine((patch) => Object.keys(patch).length > 0, "Nothing to update")
    .openapi("PatchWebhook");

  const tags = ["Webhooks"];

  const create = createRoute({
    method: "post",
    path: "/v1/webhooks",
    tags,
    summary: "Register an endpoint (admin); its signing secret is returned once",
    middleware: [authorize("admin"), idempotent()] as const,
    request: { headers: idempotencyHeader, body: jsonBody(CreateWebhookBody) },
    responses: { 201: jsonResponse(CreatedWebhookSchema, "Created"), ...commonErrors, ...unprocessableError },
  });

  const list = createRoute({
    method: "get",
    path: "/v1/webhooks",
    tags,
    summary: "List endpoints, newest first",
    middleware: [authorize("viewer")] as const,
    request: { query: paginationQuery },
    responses: { 200: jsonResponse(pageSchema(WebhookSchema), "A page of webhooks"), ...commonErrors },
  });

  const get = createRoute({
    method: "get",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "Get an endpoint",
    middleware: [authorize("viewer")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(WebhookSchema, "The webhook"), ...commonErrors, ...notFoundError },
  });

  const patch = createRoute({
    method: "patch",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "Change the URL, events, description or enabled flag (admin)",
    middleware: [authorize("admin")] as const,
    request: { params: idParam, body: jsonBody(PatchWebhookBody) },
    responses: { 200: jsonResponse(WebhookSchema, "Updated"), ...commonErrors, ...notFoundError },
  });

  const remove = createRoute({
    method: "delete",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "Delete an endpoint and its delivery history (admin)",
    middleware: [authorize("admin")] as const,
    request: { params: idParam },
    responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFoundError },
  });

  const test = createRoute({
    method: "post",
    path: "/v1/webhooks/{id}/test",
    tags,
    summary: "Queue a signed `webhook.test` ping to the endpoint (admin)",
    middleware: [authorize("admin"), idempotent()] as const,
    request: { params: idParam, headers: idempotencyHeader },
    responses: { 202: jsonResponse(DeliverySchema, "Queued"), ...commonErrors, ...notFoundError, ...unprocessableError },
  });

  const deliveries = createRoute({
    method: "get",
    path: "/v1/webhooks/{id}/deliveries",
    tags,
    summary: "Deliveries to the endpoint, newest first, each with its attempts",
    middleware: [authorize("viewer")] as const,
    request: { params: idParam, query: paginationQuery.extend({ status: z.enum(["pending", "delivered", "failed"]).optional() }) },
    responses: { 200: jsonResponse(pageSchema(DeliverySchema), "A page of deliveries"), ...commonErrors, ...notFoundError },
  });

  return createRouter()
    .openapi(create, async (c) => c.json(await createWebhook(c.get("db"), c.get("settings"), c.get("caller"), c.req.valid("json")), 201))
    .openapi(list, async (c) => {
      const { limit, cursor } = c.req.valid("query");
      return c.json(await paged(c, cursor, (token) => listWebhooks(c.get("db"), c.get("caller").orgId, limit, decodeCursor(token))), 200);
    })
    .openapi(get, async (c) => c.json(presentWebhook(await getWebhook(c.get("db"), c.get("caller").orgId, c.req.valid("param").id)), 200))
    .openapi(patch, async (c) =>
      c.json(await updateWebhook(c.get("db"), c.get("settings"), c.get("caller"), c.req.valid("param").id, c.req.valid("json")), 200),
    )
    .openapi(remove, async (c) => {
      await deleteWebhook(c.get("db"), c.get("caller"), c.req.valid("param").id);
      return c.body(null, 204);
    })
    .openapi(test, async (c) => c.json(await sendTestDelivery(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id), 202))
    .openapi(deliveries, async (c) => {
      const { limit, cursor, status } = c.req.valid("query");
      const page = await paged(c, cursor, (token) => listDeliveries(c.get("db"), c.get("caller").orgId, c.req.valid("param").id, { limit, status, cursor: decodeCursor(token) }));
      return c.json(page, 200);
    });
}
