import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../../platform/http/context";
import { type Product, reshapeError } from "./product";

/**
 * The errors of a product's route that come before its `served` middleware runs (the app-wide body limit and JSON
 * depth check: 413, 400) in the product's shape too. Runs before those limits (a feature's `earlyMiddleware`); the
 * route is recognised by its `served` middleware among the request's matched handlers. An error `served` already
 * rendered is left as it is.
 */
export function productErrorShapes(products: readonly Product[]) {
  const shaped = products.filter((p) => p.errors);
  return createMiddleware<AppEnv>(async function productErrorShapes(c, next) {
    await next();
    if (!c.error || c.res.status < 400) return;
    const handlers = new Set(matchedRoutes(c).map((r) => r.handler));
    const product = shaped.find((p) => handlers.has(p.served) && c.get("settings").COMPAT_APIS.has(p.name));
    if (!product?.errors) return;
    await reshapeError(c, product.errors);
  });
}
