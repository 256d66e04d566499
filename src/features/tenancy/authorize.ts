import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Role } from "../../platform/http/context";
import { ApiError } from "../../platform/errors";
import { constantTimeEqual } from "../../platform/lib/crypto";
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

/** Authenticates the API key, enforces its rate limit, then checks the role the route needs. */
export const authorize = <T = never>(need: Role, prefetcher?: AuthPrefetcher<T>) =>
  createMiddleware<AppEnv>(async function authorize(c, next) {
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
  });

/** The deployment operator's routes: `Authorization: Bearer <ADMIN_TOKEN>`. */
export const requireAdminToken = () =>
  createMiddleware<AppEnv>(async function requireAdminToken(c, next) {
    const presented = readPresentedKey(c.req.header("authorization"), undefined) ?? "";
    if (!(await constantTimeEqual(presented, c.get("settings").ADMIN_TOKEN))) {
      throw new ApiError("UNAUTHORIZED", "Operator routes need 'Authorization: Bearer <ADMIN_TOKEN>'");
    }
    await next();
  });
