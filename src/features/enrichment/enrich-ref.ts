import type { Caller } from "../../platform/http/context";
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

/**
 * `POST …/enrichments` for an entity named by id or externalId: loads the entity and the plan (or takes the rows
 * authentication already read), runs it (`enrichEntity`) and publishes its events after the answer. A missing
 * entity is a 404; the answer is the EnrichResponse.
 */
export async function enrichByRef(deps: EnrichRefDeps, ref: EntityRef, request: EnrichRequest, rows?: RunRows) {
  const { db, caller } = deps;
  const { entity, ...loaded } = rows ? await planLoaded(db, caller.orgId, rows, request) : await loadRun(db, caller.orgId, ref, request);
  const { answer, events } = await enrichEntity({ env: deps.env, settings: deps.settings, db, caller }, entity, request, loaded);
  deps.waitUntil(publish(deps.env, events, { webhooks: { orgIds: [caller.orgId], targets: loaded.webhooks } }));
  return answer;
}
