import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse } from "../../../platform/http/openapi";
import { SourceAuthBody, fetchEntities } from "../../llm";
import { authorize } from "../../tenancy";
import { asSent } from "./native-errors";
import { enricherErrors, entityEnricher } from "./product";

const FetchBody = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2048).openapi({ example: "https://crm.example.com/export/companies.json" }),
    auth: SourceAuthBody,
    format: z.enum(["json", "csv"]).optional().openapi({ description: "Default: CSV when the source says text/csv, else JSON" }),
    data_path: z.string().min(1).max(200).optional().openapi({ description: "Where the array is in a JSON object, e.g. data.items" }),
  })
  .openapi("EntityEnricherFetch", { example: { url: "https://crm.example.com/export/companies.json", format: "json" } });

const route = createRoute({
  method: "post",
  path: "/api/enrichment/batch/fetch",
  tags: [entityEnricher.tag],
  summary: "Fetch entities from an external URL",
  description:
    "A JSON array or a CSV, fetched once through the outbound URL guard (POST /v1/entity-sources/fetch): at most 5 MiB, 10 s and 1,000 entities, ready for POST /api/enrichment/batch/start. A source that fails or answers something else is 422.",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { body: jsonBody(FetchBody) },
  responses: {
    200: jsonResponse(
      z.object({ entities: z.array(z.record(z.string(), z.unknown())), total: z.number().int(), fetch_time_ms: z.number().int() }).openapi("EntityEnricherFetched"),
      "The entities",
    ),
    ...enricherErrors[422],
  },
});

export const fetchRoutes = createRouter().openapi(route, async (c) => {
  const { url, auth, format, data_path } = c.req.valid("json");
  const fetched = await asSent(fetchEntities(c.get("settings"), { url, auth, format, dataPath: data_path }));
  return c.json({ entities: fetched.entities, total: fetched.total, fetch_time_ms: fetched.fetchTimeMs }, 200);
});
