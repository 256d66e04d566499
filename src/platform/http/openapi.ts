import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { ApiError } from "../errors";
import { validationDetails } from "./validation-details";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION_ERROR" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

const errorBody = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });

/** Spread into every route's `responses` so the document lists the failures a client must handle. */
export const commonErrors = {
  400: errorBody("Invalid request (VALIDATION_ERROR)"),
  401: errorBody("Missing, invalid or revoked API key (UNAUTHORIZED)"),
  403: errorBody("The key's role is below what this route needs (FORBIDDEN)"),
  413: errorBody("Body too large: 1 MiB for JSON bodies unless the route says otherwise (PAYLOAD_TOO_LARGE)"),
  429: errorBody("Rate limit exceeded (RATE_LIMITED); see Retry-After"),
  500: errorBody("Unexpected failure (INTERNAL_ERROR)"),
} as const;

export const notFoundError = { 404: errorBody("No such resource in this organization (NOT_FOUND)") } as const;
export const conflictError = { 409: errorBody("Conflicts with an existing resource (CONFLICT)") } as const;
export const unprocessableError = {
  422: errorBody("Well-formed but cannot be processed, e.g. Idempotency-Key reused with another body (UNPROCESSABLE)"),
} as const;
export const insufficientCreditsError = {
  402: errorBody("Prepaid balance cannot cover the most this could charge (INSUFFICIENT_CREDITS)"),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const idempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "Replays the first response for 24 h when sent again with the same body." }),
});

/** zod failures become VALIDATION_ERROR with the failing field paths. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) {
    throw new ApiError("VALIDATION_ERROR", "Request validation failed", { details: validationDetails(result.error) });
  }
};

export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export type Router = ReturnType<typeof createRouter>;
