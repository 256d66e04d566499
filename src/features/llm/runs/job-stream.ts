import { z } from "@hono/zod-openapi";

/** `?stream=true`: answer with the new job's event stream instead of its id. */
export const StreamQuery = z.object({
  stream: z.enum(["true", "false"]).optional().openapi({ description: "Answer with the job's Server-Sent Events (as GET /v1/jobs/{id}/events) instead of 202" }),
});

export const JobCreatedSchema = z
  .object({
    jobId: z.string(),
    status: z.literal("processing"),
    createdAt: z.string(),
    entityCount: z.number().int(),
    reservedCredits: z.number().int().openapi({ description: "Held for the most the job could cost (prepaid); the unused part goes back as it runs" }),
    webhookId: z.string().nullable(),
  })
  .openapi("LlmJobCreated");

/** The created job's responses: 202 with its id, or (stream) 200 with its events. */
export const jobResponses = <T extends z.ZodType>(schema: T, description: string) => ({
  202: { description, content: { "application/json": { schema } } },
  200: { description: "`?stream=true`: the job's events, ending with `completed`", content: { "text/event-stream": { schema: z.string() } } },
});
