import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Role } from "../../platform/http/context";
import { ApiError } from "../../platform/errors";
import { constantTimeEqual } from "../../platform/lib/crypto";
import { type MiddlewareContract, withContract } from "../../platform/http/openapi";
import { ROLES } from "../../db/schema/tenancy";
import { type AuthPrefetch, authenticateWith, readPresentedKey, roleAllows } from "./authenticate";

/**
 * A route's reads that ride along with authentication (see `AuthPrefetch`): `authorize(role, prefetcher)` runs
 * them in the key lookup's batch and the handler takes the decoded result with `take(c)`.
 */
export class AuthPrefetcher<T> {
  readonly #results = new WeakMap<Request, T>();

  constructor(readonly build: (c: Context<AppEnv>) => AuthPrefetch<T>) {}

  keep(c: Context<AppEnv>, value: T): void {
    this.#results.set(c.req.raw, value);
  }

  /** What the reads answered for this request; undefined when `authorize` did not run them. */
  take(c: Context<AppEnv>): T | undefined {
    return this.#results.get(c.req.raw);
  }
}

/** What `authorize(need)` puts in the document: the API key scheme, the role as `x-min-role`, and its failures. */
function apiKeyContract(need: Role): MiddlewareContract {
  const errors: Record<number, string> = {
    401: "Missing, invalid or revoked API key (UNAUTHORIZED)",
    429: "Rate limit exceeded (RATE_LIMITED); see Retry-After",
  };
  // A viewer route admits every key, so it never answers 403.
  if (ROLES.some((role) => !roleAllows(role, need))) {
    errors[403] = `The key's role is below '${need}' (FORBIDDEN)`;
  }
  return { security: [{ apiKey: [] }], extensions: { "x-min-role": need }, errors };
}

/** Authenticates the API key, enforces its rate limit, then checks the role the route needs. */
export const authorize = <T = never>(need: Role, prefetcher?: AuthPrefetcher<T>) =>
  withContract(createMiddleware<AppEnv>(async function authorize(c, next) {
    const db = c.get("db");
    const presented = readPresentedKey(c.req.header("authorization"), c.req.header("x-api-key"));
    const { caller, prefetched } = await authenticateWith(
      db,
      presented,
      c.get("settings").RATE_LIMIT_PER_MINUTE,
      prefetcher?.build(c) ?? null,
    );
    if (!roleAllows(caller.role, need)) {
      throw new ApiError("FORBIDDEN", `This action needs the '${need}' role; this key is '${caller.role}'`);
    }
    if (prefetcher && prefetched !== undefined) prefetcher.keep(c, prefetched);
    c.set("caller", caller);
    await next();
  }), apiKeyContract(need));

/** The deployment operator's routes: `Authorization: Bearer <ADMIN_TOKEN>`. */
export const requireAdminToken = () =>
  withContract(createMiddleware<AppEnv>(async function requireAdminToken(c, next) {
    const presented = readPresentedKey(c.req.header("authorization"), undefined) ?? "";
    if (!(await constantTimeEqual(presented, c.get("settings").ADMIN_TOKEN))) {
      throw new ApiError("UNAUTHORIZED", "Operator routes need 'Authorization: Bearer <ADMIN_TOKEN>'");
    }
    await next();
  }), { security: [{ adminToken: [] }], errors: { 401: "Missing or wrong ADMIN_TOKEN (UNAUTHORIZED)" } });
