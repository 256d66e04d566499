import { and, eq, lt } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { idempotencyKeys } from "../../db/schema/platform";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { decryptSecret, encryptSecret, sha256Hex } from "../lib/crypto";
import { withContract } from "./openapi";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Only outcomes of work that actually ran are replayed: successes, and a 409 from a write that met a conflict.
 * A request refused before it ran (invalid body, unknown id, no credits) is not remembered, so the client can
 * correct it and retry with the same key.
 */
const replayable = (status: number) => status < 400 || status === 409;

/**
 * Same key + same body within 24 h replays the first response without re-running the handler;
 * same key + different body is 422. Runs after `authorize`, so keys are scoped per organization.
 */
export const idempotent = () =>
  withContract(createMiddleware<AppEnv>(async function idempotent(c, next) {
    const key = c.req.header("idempotency-key");
    if (!key) return next();
    if (key.length > 255) throw new ApiError("VALIDATION_ERROR", "Idempotency-Key is longer than 255 characters");
    const db = c.get("db");
    // Operator routes have no caller; their keys share one operator scope.
    const orgId = c.var.caller?.orgId ?? "__operator__";
    const body = await c.req.text();
    const { pathname, search } = new URL(c.req.url);
    const requestHash = await sha256Hex(`${c.req.method} ${pathname}${search}\n${c.req.header("content-type") ?? ""}\n${body}`);
    const where = and(eq(idempotencyKeys.orgId, orgId), eq(idempotencyKeys.key, key));
    const now = new Date();

    const claimed = await db
      .insert(idempotencyKeys)
      .values({ orgId, key, requestHash, state: "in_progress", createdAt: now.toISOString() })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });

    if (claimed.length === 0) {
      const [prior] = await db.select().from(idempotencyKeys).where(where).limit(1);
      const expired = prior && now.getTime() - Date.parse(prior.createdAt) > IDEMPOTENCY_TTL_MS;
      if (prior && !expired) {
        if (prior.requestHash !== requestHash) {
          throw new ApiError("UNPROCESSABLE", "This Idempotency-Key was already used with a different request body");
        }
        if (prior.state !== "done" || prior.statusCode === null) {
          throw new ApiError("CONFLICT", "A request with this Idempotency-Key is still in progress");
        }
        const headers = new Headers(prior.responseHeaders ? (JSON.parse(prior.responseHeaders) as Record<string, string>) : {});
        headers.set("idempotent-replayed", "true");
        const replayBody = prior.responseBody ? await decryptSecret(prior.responseBody, c.get("settings").ENCRYPTION_KEY) : "";
        return c.body(replayBody, prior.statusCode as 200, Object.fromEntries(headers));
      }
      await db
        .update(idempotencyKeys)
        .set({ requestHash, state: "in_progress", statusCode: null, responseBody: null, createdAt: now.toISOString() })
        .where(where);
    }

    try {
      await next();
    } catch (error) {
      await db.delete(idempotencyKeys).where(where);
      throw error;
    }
    const res = c.res;
    if (!replayable(res.status) || res.headers.get("content-type")?.includes("text/event-stream")) {
      await db.delete(idempotencyKeys).where(where);
      return;
    }
    // Sealed because a replayable body can hold a secret shown only once (a new API key).
    const responseBody = await encryptSecret(await res.clone().text(), c.get("settings").ENCRYPTION_KEY);
    const contentType = res.headers.get("content-type");
    await db
      .update(idempotencyKeys)
      .set({
        state: "done",
        statusCode: res.status,
        responseBody,
        responseHeaders: JSON.stringify(contentType ? { "content-type": contentType } : {}),
      })
      .where(where);
  }), {
    errors: {
      409: "A request with this Idempotency-Key is still in progress (CONFLICT)",
      422: "This Idempotency-Key was used with another request body (UNPROCESSABLE)",
    },
  });

/** The cron's part: stored replies past their TTL go. */
export async function sweepIdempotencyKeys(env: Env, scheduledTime: number): Promise<void> {
  const db = createDb(env.DB);
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(scheduledTime - IDEMPOTENCY_TTL_MS).toISOString()));
}
