import type { Context } from "hono";

/** A request's media type, lower case, without parameters ("" when it names none). */
export const mediaTypeOf = (c: Context): string => c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
