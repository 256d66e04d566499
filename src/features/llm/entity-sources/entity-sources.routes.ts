import { createRoute, z } from "@hono/zod-openapi";
import { commonErrors, createRouter, jsonBody, jsonResponse, unprocessableError } from "../../../platform/http/openapi";
import { authorize } from "../../tenancy";
import { fetchEntities } from "./fetch-entities";

const secret = z.string().min(1).max(4096);

/** How to authenticate to the source (used for one request only). */
export const SourceAuthBody = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({ type: z.literal("bearer"), token: secret }),
    z.strictObject({ type: z.literal("api_key"), header: z.string().min(1).max(64).optional().openapi({ description: "Default X-API-Key" }), value: secret }),
    z.strictObject({ type: z.literal("basic"), username: z.string().min(1).max(256), password: secret }),
  ])
  .optional()
  .openapi({ description: "Used for this one request only: never stored, logged or answered" });

const FetchBody = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2048).openapi({ example: "https://crm.example.com/export/companies.json" }),
    auth: SourceAuthBody,
    format: z.enum(["json", "csv"]).optional().openapi({ description: "Default: CSV when the source says text/csv, else JSON" }),
    dataPath: z.string().min(1).max(200).optional().openapi({ description: "Where the array is in a JSON object, e.g. data.items" }),
  })
  .openapi("FetchEntitySource", { example: { url: "https://crm.example.com/export/companies.json", format: "json" } });

const route = createRoute({
  method: "post",
  path: "/v1/entity-sources/fetch",
  tags: ["LLM"],
  summary: "Fetch entities from a URL (a JSON array or a CSV), ready for an LLM enrichment",
  description:
    "One GET through the outbound URL guard (private addresses refused, redirects re-checked), at most 5 MiB (a larger answer is 413) and 10 s; at most 1,000 entities of 32 KiB each. A source that fails, answers something else or lists too many is 422.",
  middleware: [authorize("member")] as const,
  request: { body: jsonBody(FetchBody) },
  responses: {
    200: jsonResponse(
      z.object({ entities: z.array(z.record(z.string(), z.unknown())), total: z.number().int(), fetchTimeMs: z.number().int() }).openapi("FetchedEntities"),
      "The entities",
    ),
    ...commonErrors,
    ...unprocessableError,
  },
});

export const entitySourceRoutes = createRouter().openapi(route, async (c) => c.json(await fetchEntities(c.get("settings"), c.req.valid("json")), 200));
