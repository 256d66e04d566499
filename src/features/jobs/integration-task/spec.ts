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
}

/** Waterfall tasks run every integration of the job in turn, so they share one lane capped by the smallest limit. */
export const WATERFALL_LANE = "*waterfall";

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
}

/** The engine hands back the spec that `prepareJob` built for this kind, with its own fields intact. */
export const integrationSpec = (spec: StoredJobSpec) => spec as Omit<IntegrationJobSpec, "entities">;

/** A result as the object stores and reports it: the public shape, without the entity fields. */
export type IntegrationTaskResult = Omit<EnrichmentResult, "fields">;
