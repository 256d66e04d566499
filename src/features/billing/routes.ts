import { createRoute, z } from "@hono/zod-openapi";
import { decodeCursor, pageSchema, paged, paginationQuery } from "../../platform/http/pagination";
import { authorize, requireAdminToken } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, createRouter, idempotencyHeader, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../platform/http/openapi";
import { creditSummary, grantCredits, listTransactions, usage } from "./ledger";
import { getOrganization } from "../tenancy";
import { idParam } from "../tenancy";
import { BILLING_MODES } from "../../domain/vocabulary";

const BalanceSchema = z
  .object({
    billingMode: z.enum(BILLING_MODES),
    creditBalance: z.number().int(),
    reservedCredits: z.number().int().openapi({ description: "Held by running requests and jobs" }),
    availableCredits: z.number().int(),
  })
  .openapi("CreditBalance");

const TransactionSchema = z
  .object({
    id: z.string(),
    type: z.enum(["grant", "charge", "refund"]),
    amount: z.number().int().openapi({ description: "Signed: charges are negative" }),
    costCents: z.number(),
    reason: z.string(),
    integrationCode: z.string().nullable(),
    enrichmentId: z.string().nullable(),
    jobId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("CreditTransaction");

const balance = createRoute({
  method: "get",
  path: "/v1/credits",
  tags: ["Credits"],
  summary: "Billing mode and balance",
  middleware: [authorize("viewer")] as const,
  responses: { 200: jsonResponse(BalanceSchema, "The balance"), ...commonErrors },
});

const transactions = createRoute({
  method: "get",
  path: "/v1/credits/transactions",
  tags: ["Credits"],
  summary: "The credit ledger, newest first",
  middleware: [authorize("viewer")] as const,
  request: { query: paginationQuery },
  responses: { 200: jsonResponse(pageSchema(TransactionSchema), "A page of ledger entries"), ...commonErrors },
});

const usageRoute = createRoute({
  method: "get",
  path: "/v1/credits/usage",
  tags: ["Credits"],
  summary: "Credits charged and provider cost, grouped by integration or day",
  middleware: [authorize("viewer")] as const,
  request: {
    query: z.object({
      groupBy: z.enum(["integration", "day"]).default("integration"),
      from: z.string().datetime({ offset: true }).optional(),
      to: z.string().datetime({ offset: true }).optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ groupBy: z.enum(["integration", "day"]), data: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))) }),
      "Usage rows",
    ),
    ...commonErrors,
  },
});

const GrantBody = z
  .strictObject({ amount: z.number().int().min(1).max(1_000_000_000), reason: z.string().trim().min(1).max(500).default("Operator grant") })
  .openapi("GrantCredits");

const grant = createRoute({
  method: "post",
  path: "/v1/admin/organizations/{id}/credits",
  tags: ["Operator"],
  summary: "Grant credits to an organization (operator)",
  security: [{ adminToken: [] }],
  middleware: [requireAdminToken(), idempotent()] as const,
  request: { params: idParam, headers: idempotencyHeader, body: jsonBody(GrantBody) },
  responses: {
    201: jsonResponse(BalanceSchema.extend({ transactionId: z.string() }), "Granted"),
    ...commonErrors,
    ...notFoundError,
    ...unprocessableError,
  },
});

export const creditRoutes = createRouter()
  .openapi(balance, async (c) => c.json(await creditSummary(c.get("db"), c.get("caller").orgId), 200))
  .openapi(transactions, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listTransactions(c.get("db"), c.get("caller").orgId, limit, decodeCursor(token))), 200);
  })
  .openapi(usageRoute, async (c) => {
    const { groupBy, from, to } = c.req.valid("query");
    return c.json({ groupBy, data: await usage(c.get("db"), c.get("caller").orgId, groupBy, from, to) }, 200);
  })
  .openapi(grant, async (c) => {
    const db = c.get("db");
    const org = await getOrganization(db, c.req.valid("param").id);
    const { amount, reason } = c.req.valid("json");
    const transactionId = await grantCredits(db, org.id, amount, reason);
    return c.json({ ...(await creditSummary(db, org.id)), transactionId }, 201);
  });
