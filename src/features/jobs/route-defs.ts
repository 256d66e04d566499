import { createRoute, z } from "@hono/zod-openapi";
import { pageSchema, paginationQuery } from "../../platform/http/pagination";
import { authorize } from "../tenancy";
import { idempotent } from "../../platform/http/idempotency";
import { commonErrors, conflictError, idempotencyHeader, insufficientCreditsError, jsonResponse, notFoundError, unprocessableError } from "../../platform/http/openapi";
import { CreateJobBody, CreateJobCsvQuery, EntityStatus, JobCreatedSchema, JobDetailSchema, JobEventsQuery, JobListQuery, JobResultSchema, JobSchema } from "./schemas";
import { idParam } from "../tenancy";

const tags = ["Jobs"];

export const createJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs",
  tags,
  summary: "Enrich up to 1,000 entities in the background",
  description:
    "JSON, or `text/csv` with a header row: attribute names, the CRM export spellings README lists (\"First Name\", \"E-mail\", \"Company Domain\" …) or any header mapped with `columns`, plus `type`, `externalId`, `entityId`; integrations and options in the query. " +
    "CSV rows that cannot be entities are skipped and listed in `skippedRows` (row numbers as a spreadsheet shows them, the header being row 1) unless `onInvalidRow=reject`. " +
    "Prepaid organizations must be able to cover the most the job could charge; only successes are charged.",
  middleware: [authorize("member"), idempotent()] as const,
  request: {
    headers: idempotencyHeader,
    query: CreateJobCsvQuery,
    // Not `required`, so a CSV body is not run through the JSON validator; the handler insists on one of the two.
    body: {
      required: false,
      content: {
        "application/json": { schema: CreateJobBody },
        "text/csv": { schema: z.string().openapi({ example: "type,externalId,email\nperson,crm-1,ada@example.com" }) },
      },
    },
  },
  responses: {
    202: jsonResponse(JobCreatedSchema, "Accepted; follow it at /v1/jobs/{jobId} or /v1/jobs/{jobId}/events"),
    ...commonErrors,
    ...insufficientCreditsError,
    ...conflictError,
    ...unprocessableError,
  },
});

export const listJobsRoute = createRoute({
  method: "get",
  path: "/v1/jobs",
  tags,
  summary: "List jobs, newest first",
  middleware: [authorize("viewer")] as const,
  request: { query: paginationQuery.extend(JobListQuery.shape) },
  responses: { 200: jsonResponse(pageSchema(JobSchema), "A page of jobs"), ...commonErrors },
});

export const getJobRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}",
  tags,
  summary: "A job's status, counts, credits and timings",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: jsonResponse(JobDetailSchema, "The job, with the CSV rows it left out"), ...commonErrors, ...notFoundError },
});

export const jobResultsRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/results",
  tags,
  summary: "Per-entity results, in job order",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam, query: paginationQuery.extend({ status: EntityStatus.optional() }) },
  responses: { 200: jsonResponse(pageSchema(JobResultSchema), "A page of results"), ...commonErrors, ...notFoundError },
});

export const jobResultsCsvRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/results.csv",
  tags,
  summary: "All results as CSV, re-importable: input columns first, then enriched.<field>, status, and per integration its status, error code and message",
  description:
    "RFC 4180 with CRLF line endings and a final CRLF. Cells a spreadsheet would run as formulas get a leading `'` unless they are plain numbers (E.164 phones are written as they are); POST /v1/jobs takes the `'` off again.",
  middleware: [authorize("viewer")] as const,
  request: { params: idParam },
  responses: { 200: { description: "CSV", content: { "text/csv": { schema: z.string() } } }, ...commonErrors, ...notFoundError },
});

export const jobEventsRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/events",
  tags,
  summary: "Progress as Server-Sent Events",
  description:
    "Events: job_started, entity_started, enrichment_completed, entity_completed, job_paused, job_resumed, job_cancelled, job_completed or job_failed, error, and a terminal `completed` after which the stream closes. Every event has an id; reconnect with Last-Event-ID to get exactly what was missed. `: ping` comments keep idle connections open.",
  middleware: [authorize("viewer")] as const,
  request: {
    params: idParam,
    query: JobEventsQuery,
    headers: z.object({ "last-event-id": z.string().max(20).optional() }),
  },
  responses: { 200: { description: "The event stream", content: { "text/event-stream": { schema: z.string() } } }, ...commonErrors, ...notFoundError },
});

const action = (name: string, summary: string) =>
  createRoute({
    method: "post",
    path: `/v1/jobs/{id}/${name}`,
    tags,
    summary,
    middleware: [authorize("member"), idempotent()] as const,
    request: { params: idParam, headers: idempotencyHeader },
    responses: { 200: jsonResponse(JobSchema, "The job after the change"), ...commonErrors, ...notFoundError, ...conflictError },
  });

export const pauseJobRoute = action("pause", "Stop dispatching; running calls finish");
export const resumeJobRoute = action("resume", "Dispatch again");
export const cancelJobRoute = action("cancel", "Drop what has not started; running calls finish and still count");

export const retryJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/retry",
  tags,
  summary: "A follow-up job of the failed entities only",
  middleware: [authorize("member"), idempotent()] as const,
  request: { params: idParam, headers: idempotencyHeader },
  responses: {
    202: jsonResponse(JobCreatedSchema, "The follow-up job"),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...insufficientCreditsError,
  },
});
