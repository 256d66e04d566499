import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../platform/http/context";
import { ApiError } from "../../platform/errors";
import { requireAdminToken } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import { mediaTypeOf } from "../../platform/http/media-type";
import { commonErrors, conflictError, createRouter, idempotencyHeader, jsonResponse, unprocessableError, withContract } from "../../platform/http/openapi";
import { MAX_SANCTIONS_UPLOAD_BYTES, importSanctionsList, sanctionsListStatus } from "./list";

/** The app exempts this path from its 1 MiB limit; the list upload gets its own, larger one. */
const uploadLimit = () =>
  withContract(bodyLimit({
    maxSize: MAX_SANCTIONS_UPLOAD_BYTES,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `Sanctions list uploads are limited to ${MAX_SANCTIONS_UPLOAD_BYTES} bytes`);
    },
  }), { errors: { 413: `Body over ${MAX_SANCTIONS_UPLOAD_BYTES} bytes (PAYLOAD_TOO_LARGE)` } });

const csvOnly = () =>
  withContract(createMiddleware<AppEnv>(async function csvOnly(c, next) {
    const type = mediaTypeOf(c);
    if (type !== "text/csv" && type !== "text/plain") {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send OFAC's SDN.CSV as the body with Content-Type: text/csv");
    }
    await next();
  }), { errors: { 415: "Not text/csv or text/plain (UNSUPPORTED_MEDIA_TYPE)" } });

const ListSchema = z
  .object({
    id: z.string(),
    source: z.string(),
    checksum: z.string().openapi({ description: "SHA-256 of the uploaded CSV" }),
    status: z.enum(["loading", "active", "superseded"]),
    entries: z.number().int(),
    names: z.number().int(),
    tokens: z.number().int(),
    startedAt: z.string(),
    loadedAt: z.string().nullable(),
  })
  .openapi("SanctionsList");

const ImportSummarySchema = z
  .object({
    listId: z.string(),
    source: z.string(),
    checksum: z.string(),
    entries: z.number().int(),
    names: z.number().int().openapi({ description: "Primary names and aliases" }),
    tokens: z.number().int().openapi({ description: "Rows of the token index" }),
    typoVariants: z.number().int(),
    skippedRows: z.number().int(),
    loadedAt: z.string(),
    statements: z.number().int(),
  })
  .openapi("SanctionsImport");

const StatusSchema = z
  .object({
    loaded: z.boolean(),
    entries: z.number().int(),
    names: z.number().int(),
    loadedAt: z.string().nullable(),
    source: z.string().nullable(),
    active: ListSchema.nullable(),
    imports: z.array(ListSchema).openapi({ description: "The ten most recent imports, newest first" }),
  })
  .openapi("SanctionsStatus");

const importList = createRoute({
  method: "post",
  path: "/v1/admin/sanctions/import",
  tags: ["Operator"],
  summary: "Replace the OFAC SDN list with an uploaded SDN.CSV",
  description: `The body is OFAC's legacy SDN.CSV (up to ${MAX_SANCTIONS_UPLOAD_BYTES} bytes). The new list loads beside the active one and replaces it in one step once complete.`,
  security: [{ adminToken: [] }],
  middleware: [requireAdminToken(), uploadLimit(), csvOnly(), idempotent()] as const,
  request: {
    headers: idempotencyHeader,
    query: z.object({
      source: z.string().trim().min(1).max(200).optional().openapi({ description: "A label for this copy, e.g. the file name" }),
    }),
    body: {
      required: true,
      content: { "text/csv": { schema: z.string().openapi({ format: "binary" }) }, "text/plain": { schema: z.string().openapi({ format: "binary" }) } },
    },
  },
  responses: {
    200: jsonResponse(ImportSummarySchema, "Imported and active"),
    ...commonErrors,
    ...conflictError,
    ...unprocessableError,
  },
});

const status = createRoute({
  method: "get",
  path: "/v1/admin/sanctions/status",
  tags: ["Operator"],
  summary: "The loaded sanctions list and recent imports",
  security: [{ adminToken: [] }],
  middleware: [requireAdminToken()] as const,
  responses: { 200: jsonResponse(StatusSchema, "Status"), ...commonErrors },
});

export const adminSanctionsRoutes = createRouter()
  .openapi(importList, async (c) => {
    const csv = await c.req.text();
    if (!csv.trim()) throw new ApiError("VALIDATION_ERROR", "The body is empty; send SDN.CSV");
    const source = c.req.valid("query").source ?? `upload ${new Date().toISOString().slice(0, 10)}`;
    return c.json(await importSanctionsList(c.get("db"), csv, source), 200);
  })
  .openapi(status, async (c) => c.json(await sanctionsListStatus(c.get("db")), 200));
