import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { createDb } from "../db/client";
import { readSettings } from "../env";

/** Builds the per-request services once so handlers never construct their own. */
export const init = () =>
  createMiddleware<AppEnv>(async function init(c, next) {
    c.set("settings", readSettings(c.env));
    c.set("db", createDb(c.env.DB));
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    await next();
  });
