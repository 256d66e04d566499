import type { FeatureManifest } from "../../platform/worker/feature";
import { compatDocumentEdit } from "./document";
import { entityEnricherLayer } from "./entity-enricher";
import { productErrorShapes } from "./error-shapes";
import { gu1Layer } from "./gu1";
import { INSTAVIEW_EVENTS, instaviewLayer, instaviewRunEvents } from "./instaview";
import { lanceLayer } from "./lance";
import type { CompatLayer } from "./product";
import { salesosLayer } from "./salesos";

/** Every compatibility layer: one folder each (product.ts, routes.ts, index.ts); a new one is one line here. */
export const layers: readonly CompatLayer[] = [entityEnricherLayer, lanceLayer, instaviewLayer, gu1Layer, salesosLayer];

export const feature: FeatureManifest = {
  name: "compat",
  routers: layers.flatMap((l) => l.routers),
  subscribers: [instaviewRunEvents],
  webhookEvents: INSTAVIEW_EVENTS,
  documentEdits: [compatDocumentEdit(layers.map((l) => l.product))],
  earlyMiddleware: [productErrorShapes(layers.map((l) => l.product))],
};
