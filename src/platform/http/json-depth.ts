import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { mediaTypeOf } from "./media-type";
import { assertBodyDepth } from "../lib/json-limits";

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * The edge check of every JSON body, before any schema sees it: nested deeper than the one limit is a 400 naming
 * the path (the body limit already bounds its size). Malformed JSON passes on to the route's validator, which
 * answers it as before.
 */
export const jsonDepthLimit = () =>
  createMiddleware<AppEnv>(async function jsonDepthLimit(c, next) {
    const type = mediaTypeOf(c);
    if (c.req.raw.body === null || !JSON_TYPE.test(type)) return next();
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return next();
    }
    assertBodyDepth(body);
    await next();
  });
