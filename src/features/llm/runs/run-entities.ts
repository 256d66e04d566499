import { and, eq, inArray } from "drizzle-orm";
import { entities } from "../../../db/schema/entities";
import { ENTITY_TYPES, type EntityType } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { IN_LIST_LIMIT } from "../../../platform/db/statements";
import { ApiError } from "../../../platform/errors";
import type { Env } from "../../../platform/env";
import type { Caller } from "../../../platform/http/context";
import { chunks } from "../../../platform/lib/chunks";
import { freeFormProblem } from "../../../platform/lib/json-limits";
import { type JobEntity, type JobEntityInput, MAX_JOB_ENTITIES, prepareEntities, writeEntities } from "../../jobs";
import type { EntityPayload } from "./run-spec";
import { promptBytes, storedEntityData } from "./task-input";

/** The most a job-local input may take, as JSON. */
export const MAX_INPUT_BYTES = 32 * 1024;
/** Free-form inputs are typed as this in the job (they are not the organization's entities). */
export const FREE_FORM_TYPE = "object";

/** An entity of an LLM request: an id, `{type, externalId?, attributes}` (stored), or any other object (job-local). */
export type RunEntityInput = string | Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

const LABEL_KEYS = ["name", "legalName", "fullName", "companyName", "title", "domain", "email", "externalId"];

function labelOf(data: Record<string, unknown>): string | null {
  for (const key of LABEL_KEYS) if (typeof data[key] === "string" && data[key]) return (data[key] as string).slice(0, 200);
  return null;
}

type Slot = { kind: "stored"; index: number; input: JobEntityInput } | { kind: "free"; index: number; input: Record<string, unknown> };

export interface PreparedRunEntities {
  count: number;
  /** Payloads in request order (stored entities' bytes measured now; their ids come at `write`). */
  payloads: EntityPayload[];
  /** Whether each entity is one of the organization's (grounding and saveToEntity need one). */
  stored: boolean[];
  /** With `env`, the entity write hooks' after-commit work runs before it returns (as a job's inline entities). */
  write(caller: Caller, jobId: string, env?: Env): Promise<JobEntity[]>;
}

/**
 * Sorts a request's entities: ids and typed `{type, attributes}` objects are the organization's entities (checked
 * and normalized as jobs do; inline ones upserted when the job is written); any other object is a job-local input,
 * kept in the job only (at most 32 KiB; an object with `attributes` and no type counts as those attributes).
 */
export async function prepareRunEntities(db: Db, orgId: string, inputs: RunEntityInput[]): Promise<PreparedRunEntities> {
  if (inputs.length > MAX_JOB_ENTITIES) throw new ApiError("VALIDATION_ERROR", `At most ${MAX_JOB_ENTITIES} entities per job`, { details: [{ path: "entities", message: `At most ${MAX_JOB_ENTITIES}` }] });
  const slots = inputs.map((input, index): Slot => {
    if (typeof input === "string") return { kind: "stored", index, input };
    if ((ENTITY_TYPES as readonly unknown[]).includes(input.type) && isObject(input.attributes)) {
      return { kind: "stored", index, input: { type: input.type as EntityType, externalId: typeof input.externalId === "string" ? input.externalId : null, attributes: input.attributes } };
    }
    const data = isObject(input.attributes) && input.type === undefined ? { ...(typeof input.externalId === "string" ? { externalId: input.externalId } : {}), ...input.attributes } : input;
    const problem = freeFormProblem(data, { depth: 16, bytes: MAX_INPUT_BYTES });
    if (problem) throw new ApiError("VALIDATION_ERROR", `Entity ${index}: ${problem.message}`, { details: [{ path: `entities.${index}`, message: problem.message, code: problem.code }] });
    if (Object.keys(data).length === 0) throw new ApiError("VALIDATION_ERROR", `Entity ${index} is empty`, { details: [{ path: `entities.${index}`, message: "An entity needs at least one field" }] });
    return { kind: "free", index, input: data };
  });
  const storedSlots = slots.filter((s): s is Extract<Slot, { kind: "stored" }> => s.kind === "stored");
  const prepared = storedSlots.length
    ? await prepareEntities(
        db,
        orgId,
        storedSlots.map((s) => s.input),
        storedSlots.map((s) => s.index),
      )
    : null;
  const ids = storedSlots.flatMap((s) => (typeof s.input === "string" ? [s.input] : []));
  const rows = new Map<string, Record<string, unknown>>();
  for (const chunk of chunks(ids, IN_LIST_LIMIT)) {
    const found = await db
      .select({ id: entities.id, type: entities.type, externalId: entities.externalId, attributes: entities.attributes })
      .from(entities)
      .where(and(eq(entities.orgId, orgId), inArray(entities.id, chunk)));
    for (const r of found) rows.set(r.id, storedEntityData(r));
  }
  // The inline entities as they will be stored: normalized (which may add fields, e.g. fullName).
  const normalized = new Map<number, Record<string, unknown>>();
  prepared?.slots.forEach((p, j) => {
    const slot = storedSlots[j];
    if (slot && p.kind === "inline") normalized.set(slot.index, storedEntityData({ type: p.type, externalId: p.externalId, attributes: p.attributes }));
  });
  const payloads = slots.map((slot): EntityPayload => {
    if (slot.kind === "free") return { input: slot.input, label: labelOf(slot.input), bytes: promptBytes(slot.input) };
    const data = (typeof slot.input === "string" ? rows.get(slot.input) : normalized.get(slot.index)) ?? {};
    return { label: labelOf(data), bytes: Math.min(promptBytes(data), promptBytes({}) + MAX_INPUT_BYTES) };
  });
  return {
    count: slots.length,
    payloads,
    stored: slots.map((s) => s.kind === "stored"),
    async write(caller, jobId, env) {
      const written = prepared ? await writeEntities(db, caller, prepared, jobId, env) : [];
      let next = 0;
      return slots.map((slot, i): JobEntity => {
        const payload = JSON.stringify(payloads[i]);
        if (slot.kind === "free") return { entityId: "", externalId: typeof slot.input.externalId === "string" ? slot.input.externalId : null, type: FREE_FORM_TYPE, data: payload };
        const entity = written[next++] as JobEntity;
        return { ...entity, data: payload };
      });
    },
  };
}
