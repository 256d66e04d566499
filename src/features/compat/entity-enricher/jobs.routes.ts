import { optionalJsonBody } from "../../../platform/http/optional-body";
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "../../../platform/http/openapi";
import { actOnJob, openJobEvents } from "../../jobs";
import { authorize } from "../../tenancy";
import { enricherJobEvents } from "./job-events";
import { presentEnricherJob } from "./present";
import { enricherErrors, entityEnricher } from "./product";
import { EnricherJobSchema, eventStream } from "./schemas";

const tags = [entityEnricher.tag];
const params = z.object({ job_id: z.string().min(1).max(100).openapi({ param: { name: "job_id", in: "path" }, example: "1b4e28ba-2fa1-11d2-883f-0016d3cca427" }) });

const stream = createRoute({
  method: "get",
  path: "/api/llm/stream/{job_id}",
  tags,
  summary: "SSE stream for any LLM job (enrichment, schema, fusion)",
  description:
    "The job's events from its start (a finished job's are replayed, then the stream closes), as `data: {json}` frames whose JSON names the event in `type` and `event`; `completed` is the last. Each frame has an `id:`: reconnect with Last-Event-ID to get only what was missed.",
  middleware: [entityEnricher.served, authorize("viewer")] as const,
  request: { params, headers: z.object({ "last-event-id": z.string().max(20).optional() }) },
  responses: { 200: eventStream("The job's events") },
});

const cancel = createRoute({
  method: "post",
  path: "/api/llm/cancel/{job_id}",
  tags,
  summary: "Cancel a running or paused job",
  description: "What had not run is cancelled; what ran is kept (and charged). The stream ends with `job_cancelled` and `completed`.",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { params },
  responses: { 200: jsonResponse(EnricherJobSchema, "The job, cancelled"), ...enricherErrors[409] },
});

const ContinueBody = z
  .strictObject({
    decision: z.enum(["proceed", "skip"]).optional().openapi({ description: "For the entities held (e.g. a classification mismatch): run them anyway (default) or skip them" }),
  })
  .openapi("EntityEnricherContinue");

const resume = createRoute({
  method: "post",
  path: "/api/llm/continue/{job_id}",
  tags,
  summary: "Resume a paused job (e.g. after a classification mismatch)",
  middleware: [entityEnricher.served, authorize("member")] as const,
  request: { params, body: { required: false, content: { "application/json": { schema: ContinueBody } } } },
  responses: { 200: jsonResponse(EnricherJobSchema, "The job, going on"), ...enricherErrors[409] },
});

export const jobRoutes = createRouter()
  .openapi(stream, async (c) => {
    const jobId = c.req.valid("param").job_id;
    const orgId = c.get("caller").orgId;
    const source = await openJobEvents(c.env, c.get("db"), orgId, jobId, { lastEventId: c.req.valid("header")["last-event-id"] });
    return enricherJobEvents(c.get("db"), orgId, jobId, source);
  })
  .openapi(cancel, async (c) => c.json(presentEnricherJob(await actOnJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").job_id, "cancel")), 200))
  .openapi(resume, async (c) => {
    const { decision } = await optionalJsonBody(c, ContinueBody, "the decision");
    return c.json(presentEnricherJob(await actOnJob(c.env, c.get("db"), c.get("caller"), c.req.valid("param").job_id, "continue", decision)), 200);
  });
