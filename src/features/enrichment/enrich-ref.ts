import type { Context } from "hono";
import type { AppEnv, Caller } from "../../platform/http/context";
import type { Db } from "../../platform/db/client";
import type { Env, Settings } from "../../platform/env";
import { publish } from "../../platform/events";
import { type EnrichRequest, enrichEntity } from "./enrich-entity";
import { type EntityRef, type RunRows, loadRun, planLoaded } from "./plan";

export interface EnrichRefDeps {
  env: Env;
  settings: Settings;
  db: Db;
  caller: Caller;
  /** Keeps the events' publishing alive after the answer (a route's `executionCtx.waitUntil`). */
  waitUntil: (work: Promise<unknown>) => void;
}

/** A route's deps for `enrichByRef`: its bindings, settings, D1, caller and `executionCtx.waitUntil`. */
export function enrichRefDeps(c: Context<AppEnv>): EnrichRefDeps {
  return { env: c.env, settings: c.get("settings"), db: c.get("db"), caller: c.get("caller"), waitUntil: (work) => c.executionCtx.waitUntil(work) };
}

/** The entity and the plan: from the rows authentication already read when there are some, else one round trip of their own. */
export function loadRunOrRows(db: Db, orgId: string, ref: EntityRef, request: EnrichRequest, rows?: RunRows) {
  return rows ? planLoaded(db, orgId, rows, request) : loadRun(db, orgId, ref, request);
}

/**
 * `POST …/enrichments` for an entity named by id or externalId: loads the entity and the plan (or takes the rows
 * authentication already read), runs it (`enrichEntity`) and publishes its events after the answer. A missing
 * entity is a 404; the answer is the EnrichResponse.
 */
export async function enrichByRef(deps: EnrichRefDeps, ref: EntityRef, request: EnrichRequest, rows?: RunRows) {
  const { db, caller } = deps;
  const { entity, ...loaded } = await loadRunOrRows(db, caller.orgId, ref, request, rows);
  const { answer, events } = await enrichEntity({ env: deps.env, settings: deps.settings, db, caller }, entity, request, loaded);
  deps.waitUntil(publish(deps.env, events, { webhooks: { orgIds: [caller.orgId], targets: loaded.webhooks } }));
  return answer;
}
