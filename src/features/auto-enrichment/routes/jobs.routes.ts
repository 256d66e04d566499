import { createRoute } from "@hono/zod-openapi";
import { idempotent } from "../../../platform/http/idempotency";
import { commonErrors, conflictError, createRouter, idempotencyHeader, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../../platform/http/openapi";
import { decodeCursor, paged } from "../../../platform/http/pagination";
import { authorize, idParam } from "../../tenancy";
import { getJobRow, listJobs, presentJob } from "../jobs/read";
import { requestJobs, retryJob } from "../jobs/request";
import { AutoJobSchema, JobListQuery, JobPage, ManualRunBody, ManualRunSchema } from "../schemas";

const tags = ["Auto-enrichment"];

const list = createRoute({
  method: "get",
  path: "/v1/auto-enrichment/jobs",
  tags,
  summary: "Auto-enrichment jobs, newest first (filters optional)",
  middleware: [authorize("viewer")] as const,
  request: { query: JobListQuery },
  responses: { 200: jsonResponse(JobPage, "A page of jobs"), ...commonErrors },
});

const create = createRoute({
  method: "post",
  path: "/v1/auto-enrichment/jobs",
  tags,
  summary: "Run the pipeline now for up to 1,000 entities",
  description: "One job per entity (an entity's waiting job absorbs it); `force` ignores the cooldown. Unknown entities are a 400 naming each.",
  middleware: [authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(ManualRunBody) },
  responses: { 202: jsonResponse(ManualRunSchema, "Queued"), ...commonErrors, ...unprocessableError },
});

const get = createRoute({
  method: "get",
  path: "/v1/auto-enrichment/jobs/{id}",
  tags,
  summary: "A job: trigger, status, skip reason, per-integration results, credits, timings",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(AutoJobSchema, "The job"), ...commonErrors, ...notFoundError },
});

const retry = createRoute({
  method: "post",
  path: "/v1/auto-enrichment/jobs/{id}/retry",
  tags,
  summary: "Retry a job: a new job running only what failed (or all of a job skipped for budget, credits or cooldown)",
  description: "Charges only new successes. 409 when nothing is left to retry, the job was already retried, or the entity already has a waiting job.",
  middleware: [authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, params: idParam },
  responses: { 202: jsonResponse(AutoJobSchema, "The new job, queued"), ...commonErrors, ...notFoundError, ...conflictError, ...unprocessableError },
});

export const jobRoutes = createRouter()
  .openapi(list, async (c) => {
    const { limit, cursor, ...filters } = c.req.valid("query");
    return c.json(await paged(c, cursor, (token) => listJobs(c.get("db"), c.get("caller").orgId, { ...filters, limit, cursor: decodeCursor(token) })), 200);
  })
  .openapi(create, async (c) => c.json(await requestJobs(c.env, c.get("db"), c.get("caller"), c.req.valid("json")), 202))
  .openapi(get, async (c) => c.json(presentJob(await getJobRow(c.get("db"), c.get("caller").orgId, c.req.valid("param").id)), 200))
  .openapi(retry, async (c) => c.json(await retryJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").id), 202));
