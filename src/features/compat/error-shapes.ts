import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../../platform/http/context";
import type { Context } from "hono";
import type { DossierError, ErrorShape, Product } from "./product";

/**
 * Every error of a product's route in the product's shape: the route's own (Hono hands the rendered error back up
 * through every middleware with `c.error` set) and those that come before its `served` middleware runs (the app-wide
 * body limit and JSON depth check: 413, 400), since this runs before those limits (a feature's `earlyMiddleware`).
 * The route is recognised by its `served` middleware among the request's matched handlers.
 */
export function productErrorShapes(products: readonly Product[]) {
  const shaped = products.filter((p) => p.errors);
  return createMiddleware<AppEnv>(async function productErrorShapes(c, next) {
    await next();
    if (!c.error || c.res.status < 400) return;
    const handlers = new Set(matchedRoutes(c).map((r) => r.handler));
    const product = shaped.find((p) => handlers.has(p.served) && c.get("settings").COMPAT_APIS.has(p.name));
    if (product?.errors) await reshapeError(c, product.errors);
  });
}

/** Re-renders the error answer in `c.res` (Dossier's `{error}`) in a product's shape (anything else is left as it is). */
async function reshapeError(c: Context<AppEnv>, shape: ErrorShape): Promise<void> {
  const rendered = c.res;
  const body = (await rendered.clone().json().catch(() => null)) as { error?: DossierError } | null;
  if (!body?.error) return;
  const headers = new Headers(rendered.headers);
  headers.delete("content-length");
  // Cleared first: assigning over a response merges the old one's headers into the new one.
  c.res = undefined;
  c.res = new Response(JSON.stringify(shape.render(body.error, rendered.status)), { status: rendered.status, headers });
}
