import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./platform/errors";
import { init } from "./platform/http/init";
import { jsonDepthLimit } from "./platform/http/json-depth";
import { onError } from "./platform/http/on-error";
import { createRouter } from "./platform/http/openapi";
import { documentEdits, earlyMiddleware, routers } from "./features";
import { healthRoutes } from "./platform/http/health";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Paths that take larger uploads and set their own body limit. */
const ownBodyLimit = new Set(["/v1/admin/sanctions/import"]);

/**
 * The interactive reference: Scalar's viewer, served from this Worker's static assets (public/, see wrangler.toml),
 * configured through its HTML API so the page runs no inline script. Every feature that would reach another host is
 * off: its web fonts (system fonts instead), telemetry, the developer toolbar, the AI agent and MCP, and the "Open API
 * Client" links, which hand the document's URL to Scalar's hosted client. The content security policy lets the page
 * load and call nothing but this origin. test/browser/docs.browser.test.ts checks all of it in Chromium.
 */
const DOCS_CONFIG = {
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: "never",
  agent: { disabled: true },
  mcp: { disabled: true },
  hideClientButton: true,
  documentDownloadType: "json",
};
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dossier API reference</title>
</head>
<body>
<script id="api-reference" data-url="/openapi.json" data-configuration='${JSON.stringify(DOCS_CONFIG)}'></script>
<script src="/docs/scalar-api-reference.js"></script>
</body>
</html>
`;
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function createApp() {
  const app = createRouter();
  app.use("*", init());
  for (const middleware of earlyMiddleware) app.use("*", middleware);
  // Every path, not only /v1: the compatibility APIs (src/features/compat) serve others.
  app.use("*", async (c, next) => {
    if (ownBodyLimit.has(c.req.path)) return next();
    return bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      },
    })(c, next);
  });
  app.use("*", jsonDepthLimit());
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
  const documentConfig = {
    openapi: "3.1.0",
    info: {
      title: "Dossier API",
      version: "0.1.0",
      description: "Entity enrichment: people and companies in, findings with provenance, confidence and cost out.",
    },
    security: [{ apiKey: [] }],
  };
  // Built per request, as doc31 does, then edited for this deployment's settings (COMPAT_APIS).
  app.get("/openapi.json", (c) => {
    const document = app.getOpenAPI31Document(documentConfig);
    for (const edit of documentEdits) edit(document, c.get("settings"));
    return c.json(document);
  });
  app.get("/docs", (c) => c.html(DOCS_PAGE, 200, { "content-security-policy": DOCS_CSP }));

  app.notFound(() => {
    throw new ApiError("NOT_FOUND", "No such route");
  });
  app.onError(onError);
  return app;
}
