import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./errors";
import { init } from "./middleware/init";
import { jsonDepthLimit } from "./middleware/json-depth";
import { onError } from "./middleware/on-error";
import { createRouter } from "./openapi";
import { routers } from "./routes";

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
  app.use("/v1/*", jsonDepthLimit());
  for (const router of routers) app.route("/", router);

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
