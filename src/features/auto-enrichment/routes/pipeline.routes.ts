import { createRoute } from "@hono/zod-openapi";
import { commonErrors, createRouter, jsonResponse } from "../../../platform/http/openapi";
import { authorize } from "../../tenancy";
import { creditReport } from "../reports/credits";
import { statsReport } from "../reports/stats";
import { reportWindow } from "../reports/window";
import { CreditsQuery, CreditsSchema, PauseBody, PipelineStateSchema, ReportQuery, StatsSchema } from "../schemas";
import { pausePipeline, resumePipeline } from "../state";

const tags = ["Auto-enrichment"];

const pause = createRoute({
  method: "post",
  path: "/v1/auto-enrichment/pause",
  tags,
  summary: "Pause the pipeline: no new provider calls; arriving work waits",
  description: "Idempotent. Triggers still queue jobs; they run, oldest first, on resume. Body optional: `{reason}`.",
  middleware: [authorize("admin")] as const,
  request: { body: { required: false, content: { "application/json": { schema: PauseBody } } } },
  responses: { 200: jsonResponse(PipelineStateSchema, "Paused"), ...commonErrors },
});

const resume = createRoute({
  method: "post",
  path: "/v1/auto-enrichment/resume",
  tags,
  summary: "Resume the pipeline: waiting jobs run in the order they arrived",
  description: "Idempotent.",
  middleware: [authorize("admin")] as const,
  responses: { 200: jsonResponse(PipelineStateSchema, "Running"), ...commonErrors },
});

const stats = createRoute({
  method: "get",
  path: "/v1/auto-enrichment/stats",
  tags,
  summary: "What the pipeline did: jobs, durations, integrations, fields, conflicts, coverage, credits",
  middleware: [authorize("viewer")] as const,
  request: { query: ReportQuery },
  responses: { 200: jsonResponse(StatsSchema, "Statistics for the window (default: the last 30 days)"), ...commonErrors },
});

const credits = createRoute({
  method: "get",
  path: "/v1/auto-enrichment/credits",
  tags,
  summary: "Auto-enrichment's credits: the budget windows and a breakdown that adds up to the ledger",
  middleware: [authorize("viewer")] as const,
  request: { query: CreditsQuery },
  responses: { 200: jsonResponse(CreditsSchema, "Credits for the window (default: the last 30 days)"), ...commonErrors },
});

export const pipelineRoutes = createRouter()
  .openapi(pause, async (c) => c.json(await pausePipeline(c.env, c.get("db"), c.get("caller"), c.req.valid("json").reason ?? null), 200))
  .openapi(resume, async (c) => c.json(await resumePipeline(c.env, c.get("db"), c.get("caller")), 200))
  .openapi(stats, async (c) => {
    const { from, to } = c.req.valid("query");
    return c.json(await statsReport(c.get("db"), c.get("caller").orgId, reportWindow(from, to)), 200);
  })
  .openapi(credits, async (c) => {
    const { from, to, groupBy } = c.req.valid("query");
    return c.json(await creditReport(c.get("db"), c.get("caller").orgId, reportWindow(from, to), groupBy), 200);
  });
