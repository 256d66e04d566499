import type { FeatureManifest } from "../../platform/worker/feature";
import { compatDocumentEdit } from "./document";
import { entityEnricherLayer } from "./entity-enricher";
import { productErrorShapes } from "./error-shapes";
import type { CompatLayer } from "./product";

/** Every compatibility layer: one folder each (product.ts, routes.ts, index.ts); a new one is one line here. */
export const layers: readonly CompatLayer[] = [entityEnricherLayer];

export const feature: FeatureManifest = {
  name: "compat",
  routers: layers.flatMap((l) => l.routers),
  documentEdits: [compatDocumentEdit(layers.map((l) => l.product))],
  earlyMiddleware: [productErrorShapes(layers.map((l) => l.product))],
};
