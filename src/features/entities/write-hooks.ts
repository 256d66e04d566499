import type { EntityType } from "../../domain/attributes";
import type { Db } from "../../platform/db/client";
import type { Env } from "../../platform/env";
import { type DomainEvent, newEvent, publish } from "../../platform/events";
import type { EntityEventData } from "./events";

/** One customer write of an entity (never a write of enrichment's or a conflict resolution's), as hooks see it. */
export interface EntityWrite {
  orgId: string;
  entityId: string;
  entityType: EntityType;
  externalId: string | null;
  change: "created" | "updated";
  /** `api`: POST and PATCH /v1/entities. `import`: PUT by externalId, and a batch job's inline entities (JSON or CSV). */
  origin: "api" | "import";
  /**
   * What the write set, changed or removed: attributes by name (`custom.<key>`; every attribute of a new entity), then
   * `externalId` and `tags` when those changed. Hooks match their own names in it (a tags-only PATCH is `["tags"]`).
   */
  changed: string[];
  /** Integration codes the create payload asked to run once (`POST /v1/entities` `integrationCodes`). */
  integrationCodes?: string[];
  actorKeyId: string | null;
  at: string;
  /** The batch job whose inline entities these are. */
  jobId?: string | null;
}

/** A hook's part of one write batch. */
export interface EntityWritePart {
  /** Statements for the write's own D1 batch, after the entity's: they land with it or not at all. */
  statements: D1PreparedStatement[];
  /** Runs once the batch committed, with what those statements answered (in order). Must not throw for the write's sake. */
  committed?: (env: Env, results: D1Result[]) => Promise<void>;
}

/**
 * How a feature above entities joins every customer write of an entity without entities knowing it: `check` may refuse
 * the write before anything is written (400s about what the hook owns, e.g. unknown integration codes), `prepare`
 * adds statements to the write's batch. Registered from the manifests' `entityWriteHooks` at load (src/features.ts).
 */
export interface EntityWriteHook {
  readonly name: string;
  check?(db: Db, writes: readonly EntityWrite[]): Promise<void>;
  prepare(db: Db, writes: readonly EntityWrite[]): EntityWritePart;
}

declare module "../../platform/worker/feature" {
  interface FeatureManifest {
    /** Hooks run by every customer write of an entity (see entities/write-hooks.ts). */
    readonly entityWriteHooks?: readonly EntityWriteHook[];
  }
}

const hooks: EntityWriteHook[] = [];

/** Called by the wiring with every feature manifest's `entityWriteHooks`. */
export function registerEntityWriteHooks(list: readonly EntityWriteHook[]): void {
  hooks.splice(0, hooks.length, ...list);
}

/** Every hook's checks, before the write. */
export async function checkEntityWrites(db: Db, writes: readonly EntityWrite[]): Promise<void> {
  for (const hook of hooks) await hook.check?.(db, writes);
}

/** The hooks' statements for one write batch, and what to run once it committed. */
export interface PendingWrites {
  statements: D1PreparedStatement[];
  /**
   * `results` are the answers to `statements`, in order. Publishes `entity.created` / `entity.updated` last: the one
   * publication of these events, so every write path (routes, jobs' imports) reaches webhooks and rules alike.
   */
  committed(env: Env, results: D1Result[]): Promise<void>;
}

export function entityWriteStatements(db: Db, writes: readonly EntityWrite[]): PendingWrites {
  const parts = writes.length === 0 ? [] : hooks.map((hook) => ({ hook, part: hook.prepare(db, writes) }));
  return {
    statements: parts.flatMap((p) => p.part.statements),
    async committed(env, results) {
      let offset = 0;
      for (const { hook, part } of parts) {
        const mine = results.slice(offset, offset + part.statements.length);
        offset += part.statements.length;
        try {
          await part.committed?.(env, mine);
        } catch (error) {
          console.error(JSON.stringify({ level: "error", message: "entity write hook failed after commit", hook: hook.name, error: String(error) }));
        }
      }
      await publish(env, entityEvents(writes));
    },
  };
}

/** One event per write, except an update that changed nothing (re-sending the same values publishes nothing). */
function entityEvents(writes: readonly EntityWrite[]): DomainEvent[] {
  return writes
    .filter((w) => w.change === "created" || w.changed.length > 0)
    .map((w) => {
      const data: EntityEventData = {
        entityId: w.entityId,
        entityType: w.entityType,
        externalId: w.externalId,
        changed: w.changed,
        origin: w.origin,
        ...(w.jobId ? { jobId: w.jobId } : {}),
      };
      return newEvent(w.change === "created" ? "entity.created" : "entity.updated", w.orgId, data);
    });
}
