import { feature as autoEnrichment } from "./features/auto-enrichment";
import { feature as billing } from "./features/billing";
import { feature as catalog } from "./features/catalog";
import { feature as compat } from "./features/compat";
import { feature as contactEnrichment } from "./features/contact-enrichment";
import { feature as enrichment } from "./features/enrichment";
import { feature as entities, registerEntityWriteHooks } from "./features/entities";
import { feature as jobs, registerTaskKinds } from "./features/jobs";
import { feature as llm } from "./features/llm";
import { feature as rules } from "./features/rules";
import { feature as screening } from "./features/screening";
import { feature as tenancy } from "./features/tenancy";
import { feature as webhooks } from "./features/webhooks";
import { subscribe } from "./platform/events";
import type { FeatureManifest } from "./platform/worker/feature";
import type { Router } from "./platform/http/openapi";

/**
 * Every feature, bottom to top (the order .dependency-cruiser.cjs enforces). The app's routers, the queue consumers,
 * the provider-calls handlers, the bus subscribers, the cron sweeps, the job task kinds and the webhook event names
 * are all collected from this list: a new capability is a folder under features/ and one line here.
 */
export const features: readonly FeatureManifest[] = [
  tenancy,
  billing,
  entities,
  webhooks,
  screening,
  catalog,
  enrichment,
  jobs,
  contactEnrichment,
  llm,
  autoEnrichment,
  rules,
  compat,
];

/** App-wide middleware the features run before the body limits (src/app.ts), in feature order. */
export const earlyMiddleware = features.flatMap((f) => f.earlyMiddleware ?? []);

/** The features' edits of the served OpenAPI document, in feature order. */
export const documentEdits = features.flatMap((f) => f.documentEdits ?? []);

/** The features' routers in mounting order. */
export const routers: readonly Router[] = features.flatMap((f) => (typeof f.routers === "function" ? f.routers(features) : (f.routers ?? [])));

/** One record from every feature's part; two features claiming the same key is a wiring mistake, caught at load. */
export function collect<T>(what: string, parts: (f: FeatureManifest) => Readonly<Record<string, T>> | undefined): Readonly<Record<string, T>> {
  const all: Record<string, T> = {};
  for (const f of features) {
    for (const [key, value] of Object.entries(parts(f) ?? {})) {
      if (key in all) throw new Error(`Two features declare the ${what} ${key}`);
      all[key] = value;
    }
  }
  return all;
}

for (const f of features) for (const subscriber of f.subscribers ?? []) subscribe(subscriber);
registerTaskKinds(features.flatMap((f) => f.taskKinds ?? []));
registerEntityWriteHooks(features.flatMap((f) => f.entityWriteHooks ?? []));
