import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./platform/errors";
import { init } from "./platform/http/init";
import { onError } from "./platform/http/on-error";
import { createRouter } from "./platform/http/openapi";
import { routers } from "./features";
import { healthRoutes } from "./platform/http/health";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Paths that take larger uploads and set their own body limit. */
const ownBodyLimit = new Set(["/v1/admin/sanctions/import"]);

export function createApp() {
  const app = createRouter();
  app.use("*", init());
  app.use("/v1/*", async (c, next) => {
    if (ownBodyLimit.has(c.req.path)) return next();
    return bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      },
    })(c, next);
  });
  for (const router of [healthRoutes, ...routers]) app.route("/", router);

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key (dsr_live_…) as a Bearer token; `X-API-Key: <key>` works too.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    description: "The deployment's ADMIN_TOKEN, for operator routes.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Dossier API",
      version: "0.1.0",
      description: "Entity enrichment: people and companies in, findings with provenance, confidence and cost out.",
    },
    security: [{ apiKey: [] }],
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "Dossier API reference" }));

  app.notFound(() => {
    throw new ApiError("NOT_FOUND", "No such route");
  });
  app.onError(onError);
  return app;
}
