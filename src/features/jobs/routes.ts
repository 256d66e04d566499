import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../platform/http/context";
import { ApiError } from "../../platform/errors";
import { decodeCursor, paged } from "../../platform/http/pagination";
import { createRouter } from "../../platform/http/openapi";
import { mediaTypeOf } from "../../platform/http/media-type";
import { optionalJsonBody } from "../../platform/http/optional-body";
import { type JobRequest, createJob, retryJob } from "./create";
import { readCsv } from "./csv/read";
import { parseColumnsParameter } from "./csv/columns";
import { jobResultsCsv } from "./csv/results";
import { actOnJob, getJob, jobResults, listJobs, openJobEvents } from "./read";
import {
  cancelJobRoute,
  continueJobRoute,
  createJobRoute,
  getJobRoute,
  jobEventsRoute,
  jobResultsCsvRoute,
  jobResultsRoute,
  listJobsRoute,
  pauseJobRoute,
  resumeJobRoute,
  retryJobRoute,
} from "./route-defs";
import { ContinueJobBody, type CreateJobBody, type CreateJobCsvQuery } from "./schemas";

function csvParams(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new ApiError("VALIDATION_ERROR", "params must be a JSON object", { details: [{ path: "params", message: "Not a JSON object" }] });
}

/** The request from a JSON body, or from a CSV body plus the query string. */
async function jobRequestOf(c: Context<AppEnv>, json: z.infer<typeof CreateJobBody> | string, query: z.infer<typeof CreateJobCsvQuery>): Promise<JobRequest> {
  const contentType = mediaTypeOf(c);
  if (contentType === "text/csv") {
    const upload = readCsv(await c.req.text(), query.type, parseColumnsParameter(query.columns));
    return {
      entities: [],
      csv: { upload, onInvalidRow: query.onInvalidRow ?? "skip" },
      integrationCodes: query.integrationCodes,
      enrichmentGroupRefs: query.enrichmentGroupRefs,
      strategy: query.strategy,
      params: csvParams(query.params),
      forceRefresh: query.forceRefresh === "true",
      webhookId: query.webhookId,
      perEntityTimeoutMs: query.perEntityTimeoutMs,
    };
  }
  if (contentType !== "application/json" || typeof json === "string") {
    throw new ApiError("VALIDATION_ERROR", "Send the job as JSON or as text/csv", { details: [{ path: "body", message: "Required" }] });
  }
  return json;
}

export const jobRoutes = createRouter()
  .openapi(createJobRoute, async (c) => {
    const request = await jobRequestOf(c, c.req.valid("json"), c.req.valid("query"));
    return c.json(await createJob(c.env, c.get("db"), c.get("caller"), request), 202);
  })
  .openapi(listJobsRoute, async (c) => {
    const { limit, cursor, status, entityType } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listJobs(c.get("db"), c.get("caller").orgId, { limit, status, entityType, cursor: decodeCursor(token) })), 200);
  })
  .openapi(getJobRoute, async (c) => c.json(await getJob(c.env, c.get("db"), c.get("caller").orgId, c.req.valid("param").id), 200))
  .openapi(jobResultsRoute, async (c) => {
    const { limit, cursor, status } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => jobResults(c.env, c.get("db"), c.get("caller").orgId, c.req.valid("param").id, { limit, cursor: token, status })), 200);
  })
  .openapi(jobResultsCsvRoute, async (c) => {
    const { id } = c.req.valid("param");
    const csv = await jobResultsCsv(c.env, c.get("db"), c.get("caller").orgId, id);
    return c.body(csv, 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="job-${id}.csv"` });
  })
  .openapi(jobEventsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { heartbeat, lastEventId } = c.req.valid("query");
    return openJobEvents(c.env, c.get("db"), c.get("caller").orgId, id, { heartbeat, lastEventId: c.req.header("last-event-id") ?? lastEventId });
  })
  .openapi(pauseJobRoute, async (c) => c.json(await actOnJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id, "pause"), 200))
  .openapi(resumeJobRoute, async (c) => c.json(await actOnJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id, "resume"), 200))
  .openapi(cancelJobRoute, async (c) => c.json(await actOnJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id, "cancel"), 200))
  .openapi(continueJobRoute, async (c) => {
    const { decision } = await optionalJsonBody(c, ContinueJobBody, "the decision");
    return c.json(await actOnJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id, "continue", decision), 200);
  })
  .openapi(retryJobRoute, async (c) => c.json(await retryJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id), 202));
