import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Hook, RouteConfig } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { ApiError } from "../errors";
import { validationDetails } from "./validation-details";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION_ERROR" }),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string().optional().openapi({ description: "On INTERNAL_ERROR: the id to look for in the logs" }),
    }),
  })
  .openapi("Error");

/** An error response of the document: `description`, in the Error schema or a compatibility API's own. */
export const errorBody = (description: string, schema: z.ZodType = ErrorSchema) => ({ description, content: { "application/json": { schema } } });

/**
 * The one failure every route can answer. The others a route's request shape and middleware make possible
 * (400, 401, 403, 404, 409, 413, 415, 422, 429) are added by `describeRoute`; routes declare only their own.
 */
export const commonErrors = { 500: errorBody("Unexpected failure (INTERNAL_ERROR)") } as const;

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

/** What a middleware adds to the contract of every route that runs it (see `withContract`). */
export interface MiddlewareContract {
  /** The operation's security: the scheme the middleware checks. */
  security?: Record<string, string[]>[];
  /** Operation extensions, e.g. `x-min-role`. */
  extensions?: Record<`x-${string}`, string>;
  /** The error statuses the middleware can answer, with what each means. */
  errors?: Record<number, string>;
  /**
   * The body every error of the route has, when it is not Dossier's `Error` (a compatibility API whose document
   * says `{detail}`): the middleware renders them so, and the document says so, in the schema and in `x-error-shape`.
   */
  errorShape?: { name: string; schema: z.ZodType };
}

const middlewareContracts = new WeakMap<object, MiddlewareContract>();

/** Tags a middleware with what it adds to a route's contract, so the document is derived from what runs. */
export function withContract<M extends object>(middleware: M, contract: MiddlewareContract): M {
  middlewareContracts.set(middleware, contract);
  return middleware;
}

const derivedErrors = {
  400: "Invalid request; details name each failing field (VALIDATION_ERROR)",
  404: "No such resource in this organization (NOT_FOUND)",
  413: "Body too large: 1 MiB unless the route says otherwise (PAYLOAD_TOO_LARGE)",
  415: "The body's Content-Type is not one this route accepts (UNSUPPORTED_MEDIA_TYPE)",
  500: "Unexpected failure (INTERNAL_ERROR)",
} as const;

/**
 * A route whose path parameter, naming nothing, is answered with another status than 404 says which in this
 * extension (Lance's POST answers 400 for a person that does not exist, as its document says).
 */
export const UNKNOWN_ID_STATUS = "x-unknown-id-status";

/**
 * Completes a route's contract from what it runs: the statuses its request shape makes possible (400 for any
 * parameter or body, 404 for a path parameter unless a PUT creates there or the route names another status in
 * `x-unknown-id-status`, 413 and 415 for a body), the security, extensions and errors of its middleware
 * (`withContract`), and 500. The route itself declares only its successes and its own failures.
 * Throws when a route says nothing about who may call it (no access middleware and no `security`), when its
 * own security disagrees with its middleware, or when an error response lacks the route's error schema (`Error`,
 * unless a middleware declares another `errorShape`).
 */
export function describeRoute<R extends RouteConfig>(route: R): R {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const middleware = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  const contracts = middleware.flatMap((m: object) => middlewareContracts.get(m) ?? []);
  const request = route.request;
  const errors: Record<number, string> = {};
  if (request?.params || request?.query || request?.headers || request?.body) errors[400] = derivedErrors[400];
  // A PUT that answers 201 creates what its path names, so it never answers 404 for it.
  const createsAtPath = route.method === "put" && 201 in route.responses;
  const unknownIdStatus = (route as Record<string, unknown>)[UNKNOWN_ID_STATUS];
  if (request?.params && !createsAtPath && unknownIdStatus === undefined) errors[404] = derivedErrors[404];
  if (request?.body) Object.assign(errors, { 413: derivedErrors[413], 415: derivedErrors[415] });
  for (const contract of contracts) Object.assign(errors, contract.errors);
  errors[500] = derivedErrors[500];

  const shapes = contracts.flatMap((c) => (c.errorShape ? [c.errorShape] : []));
  if (shapes.length > 1) throw new Error(`${where}: more than one error shape`);
  const [shape] = shapes;
  const errorSchema = shape?.schema ?? ErrorSchema;

  const securities = contracts.flatMap((c) => (c.security ? [c.security] : []));
  if (securities.length > 1) throw new Error(`${where}: more than one access middleware`);
  const [security] = securities;
  if (!security && !route.security) throw new Error(`${where}: no access middleware; a public route says security: []`);
  if (security && route.security && JSON.stringify(security) !== JSON.stringify(route.security)) {
    throw new Error(`${where}: its security disagrees with its access middleware`);
  }
  for (const [status, response] of Object.entries(route.responses)) {
    const media = "content" in response ? response.content?.["application/json"] : undefined;
    const schema = media && "schema" in media ? media.schema : undefined;
    if (Number(status) >= 400 && schema !== errorSchema) {
      throw new Error(`${where}: the ${status} response must use the ${shape ? `${shape.name} error` : "Error"} schema`);
    }
  }
  const extensions = Object.assign({}, ...contracts.map((c) => c.extensions ?? {}), shape ? { "x-error-shape": shape.name } : {}) as Record<string, string>;
  const described = Object.fromEntries(Object.entries(errors).map(([status, description]) => [status, errorBody(description, errorSchema)]));
  return { ...route, ...extensions, security: security ?? route.security, responses: { ...described, ...route.responses } };
}

/** A router whose every `openapi()` route is completed by `describeRoute` before it is registered. */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi;
  router.openapi = ((route: RouteConfig, ...rest: unknown[]) =>
    (register as (...args: unknown[]) => unknown)(describeRoute(route), ...rest)) as typeof register;
  return router;
}

export type Router = ReturnType<typeof createRouter>;

/** The OpenAPI 3.1 document the app serves at /openapi.json. */
export type OpenApiDocument = ReturnType<Router["getOpenAPI31Document"]>;
