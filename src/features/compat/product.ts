import type { z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../platform/http/context";
import type { CompatProduct } from "../../platform/env";
import { ApiError } from "../../platform/errors";
import { type MiddlewareContract, type Router, withContract } from "../../platform/http/openapi";

/** Dossier's error as `onError` renders it, which a product with its own error shape re-renders. */
export interface DossierError {
  code: string;
  message: string;
  details?: unknown;
}

/** A product whose document's errors are not Dossier's `{error:{code,message,details?}}` (Entity Enricher: `{detail}`). */
export interface ErrorShape {
  /** Named in each operation's `x-error-shape`, which the contract suites read (test/contract/checks.ts). */
  name: string;
  schema: z.ZodType;
  render: (error: DossierError, status: number) => unknown;
}

/** One foreign API Dossier serves: a folder under compat/ that defines it with `defineProduct`. */
export interface ProductSpec {
  name: CompatProduct;
  /** The OpenAPI tag its operations are listed under in /docs ("Compatibility: Lance"). */
  tag: string;
  /** What /docs says under the tag: the base path, the authentication, what maps to what. */
  description: string;
  /** Dossier's own operations its document names ("post /v1/auto-enrichment/pause"): listed under its tag too. */
  nativeOperations?: readonly string[];
  /** When its errors are not Dossier's shape. */
  errors?: ErrorShape;
}

export interface Product extends ProductSpec {
  /**
   * The first middleware of each of its routes: a product that COMPAT_APIS leaves out answers 404 exactly like a
   * route that does not exist (before authentication, so no key is needed to learn nothing). Its errors are rendered
   * in its shape by the feature's early middleware (error-shapes.ts), which finds the route by it. In the document it marks the operation `x-compat: <name>` (how the edit finds them).
   */
  readonly served: ReturnType<typeof servedBy>;
}

function servedBy(spec: ProductSpec) {
  const contract: MiddlewareContract = { extensions: { "x-compat": spec.name } };
  if (spec.errors) contract.errorShape = { name: spec.errors.name, schema: spec.errors.schema };
  return withContract(
    createMiddleware<AppEnv>(async function served(c, next) {
      if (!c.get("settings").COMPAT_APIS.has(spec.name)) throw new ApiError("NOT_FOUND", "No such route");
      await next();
    }),
    contract,
  );
}

export function defineProduct(spec: ProductSpec): Product {
  return { ...spec, served: servedBy(spec) };
}

/** What a product folder's index.ts exports: the product and its routers (none when its paths are Dossier's own). */
export interface CompatLayer {
  product: Product;
  routers: readonly Router[];
}
