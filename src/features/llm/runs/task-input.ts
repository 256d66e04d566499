import { and, eq, inArray } from "drizzle-orm";
import { entities } from "../../../db/schema/entities";
import type { Db } from "../../../platform/db/client";
import { IN_LIST_LIMIT } from "../../../platform/db/statements";
import { chunks } from "../../../platform/lib/chunks";
import type { ProviderCallContext } from "../../../platform/queue-context";
import type { JsonSchema } from "../../../providers/llm/types";
import { jobEntityEnrichments } from "../../enrichment";
import type { EntityRow } from "../../entities";
import { expandLanguages } from "../multilingual";
import { type ProviderAccess, allProviderAccess } from "../providers/provider-access";
import { providerRows } from "../providers/provider-settings";
import { type SchemaVersionRow, findSchemaVersion } from "../schemas/schema-store";
import { PROMPT_BUDGET } from "./bounds";
import type { CallContext } from "./call-model";
import { type LlmTaskMessage, payloadOf } from "./run-spec";

/** What the tasks of one consumer invocation share: loaded once per organization, entity or schema version. */
export class TaskInputs {
  private readonly providers = new Map<string, Promise<Map<string, ProviderAccess>>>();
  private readonly schemas = new Map<string, Promise<SchemaVersionRow | undefined>>();

  constructor(
    readonly context: ProviderCallContext,
    /** The organization's entities the batch's tasks name. */
    readonly entities: Map<string, EntityRow>,
  ) {}

  static async load(context: ProviderCallContext, messages: LlmTaskMessage[]): Promise<TaskInputs> {
    const rows = new Map<string, EntityRow>();
    const byOrg = new Map<string, Set<string>>();
    for (const m of messages) if (m.entityId) byOrg.set(m.orgId, (byOrg.get(m.orgId) ?? new Set()).add(m.entityId));
    for (const [orgId, ids] of byOrg) {
      for (const chunk of chunks([...ids], IN_LIST_LIMIT)) {
        for (const row of await context.db.select().from(entities).where(and(eq(entities.orgId, orgId), inArray(entities.id, chunk)))) rows.set(row.id, row);
      }
    }
    return new TaskInputs(context, rows);
  }

  get db(): Db {
    return this.context.db;
  }

  /** How a task's calls reach their providers, with the task's deadline. */
  async callContext(orgId: string, deadline: number): Promise<CallContext> {
    let providers = this.providers.get(orgId);
    if (!providers) {
      providers = providerRows(this.db, orgId).then((rows) => new Map(allProviderAccess(this.context.settings, rows).map((p) => [p.name, p])));
      this.providers.set(orgId, providers);
    }
    return { settings: this.context.settings, providers: await providers, connections: this.context.connections, deadline };
  }

  async schemaVersion(orgId: string, schemaId: string, version: number): Promise<SchemaVersionRow | undefined> {
    const key = `${orgId}|${schemaId}|${version}`;
    let row = this.schemas.get(key);
    if (!row) {
      row = findSchemaVersion(this.db, orgId, schemaId, version);
      this.schemas.set(key, row);
    }
    return row;
  }

  /** The schema a run asks for: the version it recorded, with multilingual fields expanded to its languages. */
  async runSchema(orgId: string, run: { schemaId: string; schemaVersion: number; languages?: string[] }): Promise<{ row: SchemaVersionRow; jsonSchema: JsonSchema } | null> {
    const row = await this.schemaVersion(orgId, run.schemaId, run.schemaVersion);
    return row ? { row, jsonSchema: expandLanguages(row.jsonSchema, run.languages ?? []) } : null;
  }

  /** The entity as its prompt shows it, cut to the size the job reserved for; null when it no longer exists. */
  entityData(message: LlmTaskMessage): Record<string, unknown> | null {
    const payload = payloadOf(message.entityData);
    const room = payload.bytes - DELIMITER_OVERHEAD;
    if (!message.entityId) return payload.input ? fitToBytes(payload.input, room) : null;
    const row = this.entities.get(message.entityId);
    if (!row || row.orgId !== message.orgId) return null;
    return fitToBytes(storedEntityData(row), room);
  }

  /** The stored entity's row, when the task's entity is one of the organization's. */
  entityRow(message: LlmTaskMessage): EntityRow | undefined {
    const row = message.entityId ? this.entities.get(message.entityId) : undefined;
    return row?.orgId === message.orgId ? row : undefined;
  }

  /** Grounding: the entity's stored fields and what this job's integrations found, within the grounding budget. */
  async grounding(message: LlmTaskMessage): Promise<Grounding | undefined> {
    const row = this.entityRow(message);
    if (!row) return undefined;
    const found = await jobEntityEnrichments(this.db, message.orgId, message.jobId, row.id);
    const fields = Object.fromEntries(Object.entries(row.enriched).map(([name, f]) => [name, { value: f.value, source: f.source }]));
    const integrations = found.map((e) => ({
      integrationCode: e.integrationCode,
      enrichmentId: e.id,
      summary: typeof e.result?.summary === "string" ? e.result.summary : undefined,
      data: e.result?.enrichmentData ?? null,
    }));
    const grounding = fitToBytes({ storedFields: fields, integrations }, PROMPT_BUDGET.grounding - DELIMITER_OVERHEAD) as Grounding;
    return grounding;
  }
}

export interface Grounding {
  storedFields?: Record<string, { value: unknown; source: string }>;
  integrations?: { integrationCode: string; enrichmentId: string; summary?: string; data: unknown }[];
}

/** A stored entity as a prompt shows it. */
export const storedEntityData = (row: Pick<EntityRow, "type" | "externalId" | "attributes">): Record<string, unknown> => ({
  type: row.type,
  ...(row.externalId ? { externalId: row.externalId } : {}),
  ...row.attributes,
});

/** The label, the delimiters and the boundary around a data block (see providers/llm/delimit.ts). */
export const DELIMITER_OVERHEAD = 256;

const bytesOf = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 1)).byteLength;

/** What an entity's data takes in a prompt, as the reservation counts it. */
export const promptBytes = (value: unknown) => bytesOf(value) + DELIMITER_OVERHEAD;

/**
 * The value within `maxBytes` as a prompt serializes it: its largest top-level entries dropped (arrays: its last
 * items) until it fits. Entity data can grow between a job's creation and its run; a prompt must not.
 */
export function fitToBytes<T>(value: T, maxBytes: number): T {
  if (bytesOf(value) <= maxBytes) return value;
  if (Array.isArray(value)) {
    const items = [...value];
    while (items.length > 0 && bytesOf(items) > maxBytes) items.pop();
    return items as T;
  }
  if (value === null || typeof value !== "object") return (typeof value === "string" ? value.slice(0, Math.max(0, maxBytes / 4 - 8)) : null) as T;
  const entries = Object.entries(value as Record<string, unknown>).sort((a, b) => bytesOf(a[1]) - bytesOf(b[1]));
  const kept: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    kept[k] = v;
    if (bytesOf(kept) > maxBytes) {
      kept[k] = fitToBytes(v, Math.max(0, maxBytes - bytesOf(kept) + bytesOf(v) - 64));
      if (bytesOf(kept) > maxBytes) delete kept[k];
      break;
    }
  }
  return kept as T;
}
