import { createRoute, z } from "@hono/zod-openapi";
import { idempotent } from "../../../platform/http/idempotency";
import { createRouter, idempotencyHeader, insufficientCreditsError, jsonBody, jsonResponse, notFoundError, unprocessableError } from "../../../platform/http/openapi";
import { authorize } from "../../tenancy";
import { instaview } from "./product";
import { readRun } from "./results";
import { startRun } from "./run";

const RunBody = z
  .strictObject({
    profileIds: z
      .array(z.string().min(1).max(255))
      .min(1)
      .max(10)
      .openapi({ description: "1 to 10 profiles: each an entity's externalId or id", example: ["profile_abc123", "profile_def456"] }),
    webhookId: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "A webhook of this organization subscribed to ENRICH_COMPLETED or ENRICH_FAILED (else 422)", example: "123e4567-e89b-12d3-a456-426614174000" }),
  })
  .openapi("InstaviewEnrichRequest");

const requestId = z.string().openapi({ example: "enr_550e8400-e29b-41d4-a716-446655440000" });
const RunStatus = z.enum(["processing", "completed", "failed"]);

const RunAccepted = z
  .object({
    success: z.boolean(),
    requestId,
    status: z.literal("processing"),
    message: z.string(),
    createdAt: z.string(),
    webhookId: z.string().nullable(),
  })
  .openapi("InstaviewEnrichAccepted");

const RunInProgress = z
  .object({ success: z.boolean(), requestId, status: z.literal("processing"), message: z.string(), createdAt: z.string() })
  .openapi("InstaviewEnrichInProgress");

const Candidate = z
  .object({
    profileId: z.string(),
    name: z.string().nullable(),
    linkedinUrl: z.string().nullable(),
    matchScore: z.null(),
    rationale: z.null(),
    skills: z.array(z.string()),
    headline: z.string().nullable(),
    location: z.string().nullable(),
    currentCompany: z.string().nullable(),
    currentRole: z.string().nullable(),
    aiFitPoints: z.array(z.string()),
    aiRedFlags: z.array(z.string()),
    aiDetailedRationale: z.array(z.unknown()),
    detailedExperience: z.array(z.unknown()),
    emails: z.array(z.string()),
  })
  .openapi("InstaviewCandidate", { description: "What Dossier knows of the profile; Instaview's sourcing scores are null or empty" });

const ProfileResult = z
  .object({
    profileId: z.string(),
    entityId: z.string().openapi({ description: "The Dossier entity" }),
    success: z.boolean(),
    candidate: Candidate.optional(),
    error: z.string().optional().openapi({ description: "Why this profile was not enriched (it is not billed)" }),
  })
  .openapi("InstaviewProfileResult");

const RunResults = z
  .object({
    success: z.boolean(),
    requestId,
    status: RunStatus.exclude(["processing"]),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    enrichedCount: z.number().int(),
    failureCount: z.number().int(),
    creditsConsumed: z.number().int(),
    data: z.array(ProfileResult),
  })
  .openapi("InstaviewEnrichResults");

const start = createRoute({
  method: "post",
  path: "/sourcing/enrich",
  tags: [instaview.tag],
  summary: "Initiate enrichment run (Instaview)",
  description:
    "Accepts 1–10 profiles and answers at once (202). A prepaid organization needs 1 credit per profile first (402, nothing starts); each " +
    "profile enriched is charged 1 credit, failures nothing. An unknown profile id is a 400; a webhook that is not the organization's or " +
    "subscribes to neither ENRICH_COMPLETED nor ENRICH_FAILED is a 422.",
  middleware: [instaview.served, authorize("member"), idempotent()] as const,
  request: { headers: idempotencyHeader, body: jsonBody(RunBody) },
  responses: { 202: jsonResponse(RunAccepted, "Accepted and queued"), ...insufficientCreditsError, ...unprocessableError },
});

const results = createRoute({
  method: "get",
  path: "/sourcing/enrich/{requestId}/results",
  tags: [instaview.tag],
  summary: "Get enrichment results (Instaview)",
  description: "202 with status processing while the run is in progress; 200 with one result per profile once it completed (or failed).",
  middleware: [instaview.served, authorize("viewer")] as const,
  request: { params: z.object({ requestId: requestId.openapi({ param: { name: "requestId", in: "path" } }) }) },
  responses: {
    200: jsonResponse(RunResults, "The run is over: per-profile results"),
    202: jsonResponse(RunInProgress, "Still processing"),
    ...notFoundError,
  },
});

export const instaviewRoutes = createRouter()
  .openapi(start, async (c) => c.json(await startRun(c.env, c.get("db"), c.get("caller"), c.req.valid("json")), 202))
  .openapi(results, async (c) => {
    const run = await readRun(c.env, c.get("db"), c.get("caller").orgId, c.req.valid("param").requestId);
    return run.done ? c.json(run.body, 200) : c.json(run.body, 202);
  });
