import type { Strategy } from "../../../domain/vocabulary";
import type { EnrichmentResult } from "../../enrichment";
import type { JobSpec, StoredJobSpec } from "../engine/types";

/** The integration kind's job: its integrations, how they run, and what each may charge. */
export interface IntegrationJobSpec extends JobSpec {
  integrationCodes: string[];
  strategy: Strategy;
  params: Record<string, unknown>;
  forceRefresh: boolean;
  /** The most one entity's run of each integration can charge (0 when disabled): what each task holds of the reservation. */
  chargeByCode: Record<string, number>;
  /**
   * Job-level pricing: an entity with at least one successful result is charged exactly this many credits, whatever
   * its integrations would charge; absent, each successful result is charged its integration's credits. A priced
   * job runs each entity's integrations as one task, so perEntityTimeoutMs bounds the whole entity.
   */
  entityCredits?: number;
  /** The events the job's webhook had to subscribe to (one of them), when not the default; a retry checks them again. */
  webhookEvents?: string[];
}

/** Waterfall tasks run every integration of the job in turn, so they share one lane capped by the smallest limit. */
export const WATERFALL_LANE = "*waterfall";
/** A priced job's tasks (all of an entity's integrations side by side) share one lane capped by the smallest limit. */
export const ENTITY_LANE = "*entity";

/** One task per entity (not per entity x integration): a waterfall, or a job priced per entity. */
export const taskPerEntity = (spec: Pick<IntegrationJobSpec, "strategy" | "entityCredits">) =>
  spec.strategy === "waterfall" || spec.entityCredits !== undefined;

/** A `provider-calls` message that runs one task of a job: one entity x integration, or one entity's waterfall. */
export interface JobTaskMessage {
  kind: "job_task";
  jobId: string;
  taskId: string;
  /** Which dispatch of the task this is; only the latest may run. */
  dispatch: number;
  orgId: string;
  actorKeyId: string | null;
  entityId: string;
  entityIndex: number;
  integrationCodes: string[];
  strategy: Strategy;
  params: Record<string, unknown>;
  forceRefresh: boolean;
  /** The job's per-entity price, when it has one (`IntegrationJobSpec.entityCredits`). */
  entityCredits?: number;
}

/** The engine hands back the spec that `prepareJob` built for this kind, with its own fields intact. */
export const integrationSpec = (spec: StoredJobSpec) => spec as Omit<IntegrationJobSpec, "entities">;

/** A result as the object stores and reports it: the public shape, without the entity fields. */
export type IntegrationTaskResult = Omit<EnrichmentResult, "fields">;
