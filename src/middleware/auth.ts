import { createMiddleware } from "hono/factory";
import type { AppEnv, Role } from "../context";
import { ApiError } from "../errors";
import { constantTimeEqual } from "../lib/crypto";
import { authenticateAndCount, readPresentedKey, roleAllows } from "../services/api-key-auth";

/** Authenticates the API key, enforces its rate limit, then checks the role the route needs. */
export const authorize = (need: Role) =>
  createMiddleware<AppEnv>(async function authorize(c, next) {
    const db = c.get("db");
    const presented = readPresentedKey(c.req.header("authorization"), c.req.header("x-api-key"));
    const caller = await authenticateAndCount(db, presented, c.get("settings").RATE_LIMIT_PER_MINUTE);
    if (!roleAllows(caller.role, need)) {
      throw new ApiError("FORBIDDEN", `This action needs the '${need}' role; this key is '${caller.role}'`);
    }
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
