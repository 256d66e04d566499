import type { LlmProvider, StructuredChannel } from "../../../providers/llm/types";
import type { JobSpec, StoredJobSpec } from "../../jobs";
import type { TokenPrice } from "../cost";
import type { StrategyChoice } from "../expertise-split";

/** The job engine's name for LLM work. */
export const LLM_TASK_KIND = "llm";

/** A model as a job resolved it at creation: prices are fixed for the job, credentials are read at each call. */
export interface RunModel {
  /** `provider::model` after alias resolution. */
  key: string;
  /** The provider's name in the key (a built-in one, or an organization's OpenAI-compatible server). */
  provider: string;
  type: LlmProvider;
  /** The provider's model id. */
  model: string;
  price: TokenPrice;
  structured: StructuredChannel;
  /** The cap sent with each call. */
  maxOutputTokens: number;
}

export type MismatchPolicy = "pause" | "skip" | "proceed";

export interface EnrichmentRun {
  mode: "enrichment";
  schemaId: string;
  schemaVersion: number;
  entityType: string | null;
  choice: StrategyChoice;
  models: RunModel[];
  /** multi_expertise: the domains each model is asked about, in order (schema bytes for the reservation bound). */
  domains: { key: string; name: string; schemaBytes: number }[];
  /** The whole (language-expanded) schema's bytes. */
  schemaBytes: number;
  classification: { model: RunModel; onMismatch: MismatchPolicy; timeoutSeconds: number } | null;
  arbitration: RunModel | null;
  languages: string[];
  grounding: { integrationCodes: string[]; maxCharge: number } | null;
  saveToEntity: boolean;
}

export interface SchemaGenerationRun {
  mode: "schema_generation";
  model: RunModel;
  /** The id the schema gets when it is saved (fixed at creation, so a repeated delivery saves nothing twice). */
  newSchemaId: string;
  samples: Record<string, unknown>[];
  instructions: string | null;
  save: boolean;
  name: string | null;
  requestBytes: number;
}

export interface SchemaEditRun {
  mode: "schema_edit";
  model: RunModel;
  schemaId: string;
  schemaVersion: number;
  instruction: string;
  requestBytes: number;
}

export interface FusionRun {
  mode: "fusion";
  recordIds: string[];
  schemaId: string;
  schemaVersion: number;
  arbitration: RunModel;
  /** Bytes of the records' outputs and the entity data, for the arbitration call's bound. */
  requestBytes: number;
}

export type LlmRun = EnrichmentRun | SchemaGenerationRun | SchemaEditRun | FusionRun;

export interface LlmJobSpec extends JobSpec {
  kind: typeof LLM_TASK_KIND;
  run: LlmRun;
  /** CREDIT_VALUE_USD when the job was created: its reservation and its charges use the same value. */
  creditValueUsd: string;
}

export const llmSpec = (spec: StoredJobSpec) => spec as Omit<LlmJobSpec, "entities">;

/** What a job keeps per entity (JobEntity.data): a job-local input, and the size its prompt may take. */
export interface EntityPayload {
  /** A free-form object sent in the request (not one of the organization's entities). */
  input?: Record<string, unknown>;
  /** A name to show in events. */
  label: string | null;
  /** The most bytes the entity's data may take in a prompt (the reservation assumed this much). */
  bytes: number;
}

export const payloadOf = (data: string | null | undefined): EntityPayload => (data ? (JSON.parse(data) as EntityPayload) : { label: null, bytes: 0 });

/** What a task does; its id is `<entity index>:<role>[:<model index>]`. */
export type TaskRole = "classify" | "ground" | "model" | "fuse" | "schema" | "fusion";

export const taskRoleOf = (codes: string[]): TaskRole => (codes[0] as TaskRole | undefined) ?? "model";

/** A `provider-calls` message that runs one LLM task. */
export interface LlmTaskMessage {
  kind: "llm_task";
  jobId: string;
  taskId: string;
  dispatch: number;
  orgId: string;
  actorKeyId: string | null;
  entityIndex: number;
  /** "" for a job-local input (then in `entityData`). */
  entityId: string;
  entityData: string | null;
  role: TaskRole;
  /** The model key of a classify or model task, the arbiter of a fuse task. */
  model: string | null;
  /** The most credits the task's charged record may cost (its share of the reservation). */
  capCredits: number;
  run: LlmRun;
  creditValueUsd: string;
}

/** What each LLM task reports to the job: the engine's fields plus what its events and results show. */
export interface LlmTaskResult {
  success: boolean;
  credits: number;
  costCents: number;
  error?: { code: string; message: string };
  role: TaskRole;
  recordId: string | null;
  model: string | null;
  costUsd: number;
  [field: string]: unknown;
}
