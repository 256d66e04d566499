import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./context";
import { ApiError, type ErrorCode } from "../errors";
import { capDetails } from "./validation-details";

const codeForStatus: Record<number, ErrorCode> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** The one place errors become `{error:{code,message,details?}}`. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) {
    return c.json(
      { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: capDetails(err.details) }) } },
      err.status,
      err.headers,
    );
  }
  if (err instanceof HTTPException && codeForStatus[err.status]) {
    const code = codeForStatus[err.status] as ErrorCode;
    const message = err.status === 400 && /json/i.test(err.message) ? "Malformed JSON in request body" : err.message;
    return onError(new ApiError(code, message), c);
  }
  console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), message: String(err), stack: (err as Error).stack }));
  return c.json({ error: { code: "INTERNAL_ERROR", message: "Unexpected error; the request id is in the logs", requestId: c.get("requestId") } }, 500);
};
