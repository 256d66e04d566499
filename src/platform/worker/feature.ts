import type { MiddlewareHandler } from "hono";
import type { Env, Settings } from "../env";
import type { AppEnv } from "../http/context";
import type { DomainEventType, Subscriber } from "../events";
import type { OpenApiDocument, Router } from "../http/openapi";
import type { ProviderCallHandler, QueueConsumer } from "../queue-context";

/** A periodic sweep, run by the cron trigger with the trigger's time (ms since the epoch). */
export type CronSweep = (env: Env, scheduledTime: number) => Promise<unknown>;

/**
 * Changes the served /openapi.json for this deployment's settings (the compatibility APIs: a product turned off
 * leaves the document, one turned on lists its tag). Runs on every GET /openapi.json, on a fresh document.
 */
export type DocumentEdit = (document: OpenApiDocument, settings: Settings) => void;

/**
 * What a feature plugs into the Worker. Each feature's index.ts exports one; src/features.ts lists them in dependency
 * order, and the entry files (app.ts, queues.ts, provider-calls.ts, scheduled.ts) are built from that list, so a new
 * capability is one new folder and one line there. Features add fields for their own extension points by declaration
 * merging (jobs adds `taskKinds`).
 */
export interface FeatureManifest {
  /** The folder name under src/features/. */
  readonly name: string;
  /**
   * Routers the app mounts, in order. A function receives every feature's manifest, for routes whose contract
   * depends on what all features declare (the webhook event names).
   */
  readonly routers?: readonly Router[] | ((features: readonly FeatureManifest[]) => readonly Router[]);
  /** Queue name → consumer (wrangler.toml declares the same names). */
  readonly queues?: Readonly<Record<string, QueueConsumer>>;
  /** `kind` of a `provider-calls` message body → its handler. */
  readonly providerCalls?: Readonly<Record<string, ProviderCallHandler>>;
  /** Event bus subscribers, registered once by the wiring. */
  readonly subscribers?: readonly Subscriber[];
  /** Sweeps the cron trigger runs, in list order. */
  readonly cron?: readonly CronSweep[];
  /** Events this feature publishes that webhooks may subscribe to; collected into the webhook event enum. */
  readonly webhookEvents?: readonly DomainEventType[];
  /** Edits of the served OpenAPI document, in feature order. */
  readonly documentEdits?: readonly DocumentEdit[];
  /**
   * App-wide middleware run right after `init`, before the body limits (so it sees their errors too): the
   * compatibility APIs render every error of their routes in their product's shape with it.
   */
  readonly earlyMiddleware?: readonly MiddlewareHandler<AppEnv>[];
}
