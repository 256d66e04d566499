import type { Context } from "hono";
import type { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import { mediaTypeOf } from "./media-type";

/**
 * A JSON body the caller may leave out (POST …/continue): none at all reads as `{}`; one that is sent must be JSON
 * (415), and is the route's validated body.
 */
export async function optionalJsonBody<T extends z.ZodType>(c: Context, schema: T, what: string): Promise<z.output<T>> {
  const sent = (await c.req.text()).trim() !== "";
  if (sent && mediaTypeOf(c) !== "application/json") throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `Send ${what} as JSON`);
  return schema.parse(sent ? c.req.valid("json" as never) : {});
}
