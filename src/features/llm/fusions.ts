import type { Db } from "../../platform/db/client";
import type { Env, Settings } from "../../platform/env";
import { ApiError } from "../../platform/errors";
import type { Caller } from "../../platform/http/context";
import type { JsonSchema } from "../../providers/llm/types";
import { expandLanguages } from "./multilingual";
import { type RecordRow, recordsByIds } from "./records/record-store";
import { fuseRecords, fusionRecord } from "./runs/fuse-records";
import { launchOneTaskJob } from "./runs/launch";
import { ModelResolver } from "./runs/resolve-models";
import type { FusionRun } from "./runs/run-spec";
import { storedOr, writeTask } from "./runs/write-task";
import { type SchemaVersionRow, findSchemaVersion } from "./schemas/schema-store";

export const MAX_FUSED_RECORDS = 10;

const invalid = (path: string, message: string) => new ApiError("VALIDATION_ERROR", message, { details: [{ path, message }] });

/** The languages the records were asked in (a model record keeps its run's). */
function languagesOf(records: RecordRow[]): string[] {
  const languages = records[0]?.details?.languages;
  return Array.isArray(languages) ? languages.filter((l): l is string => typeof l === "string") : [];
}

/**
 * The records a fusion takes: at least two of the organization's successful enrichment records, all made with the
 * same schema (its latest version among them is used). Another organization's id is "not found", like an unknown one.
 */
export async function fusionInputs(db: Db, orgId: string, ids: string[]): Promise<{ records: RecordRow[]; version: SchemaVersionRow; schema: JsonSchema }> {
  const unique = [...new Set(ids)];
  if (unique.length < 2) throw invalid("recordIds", "A fusion needs at least two different records");
  const rows = await recordsByIds(db, orgId, unique);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const records = unique.map((id, i) => {
    const row = byId.get(id);
    if (!row) throw new ApiError("NOT_FOUND", "Record not found", { details: [{ path: `recordIds.${i}`, message: "No such record in this organization" }] });
    if (row.type !== "enrichment" || !row.success || !row.output) throw invalid(`recordIds.${i}`, "Only successful enrichment records can be fused");
    return row;
  });
  const schemaIds = new Set(records.map((r) => r.schemaId));
  const [schemaId] = schemaIds;
  if (schemaIds.size !== 1 || !schemaId) throw invalid("recordIds", "The records must come from the same schema");
  const latest = Math.max(...records.map((r) => r.schemaVersion ?? 1));
  const version = await findSchemaVersion(db, orgId, schemaId, latest);
  if (!version) throw invalid("recordIds", "The records' schema version no longer exists");
  return { records, version, schema: expandLanguages(version.jsonSchema, languagesOf(records)) };
}

/** A rule-based fusion, now: no model call, no credits; its record is answered with the conflict report. */
export async function fuseNow(db: Db, caller: Caller, ids: string[]) {
  const started = Date.now();
  const { records, version, schema } = await fusionInputs(db, caller.orgId, ids);
  const outcome = await fuseRecords(null, {
    schema,
    records,
    // Ties go by model key, whatever order the records were named in.
    modelOrder: [],
    entity: {},
    arbitration: null,
    arbitrationBase: { orgId: caller.orgId, type: "arbitration", jobId: null, taskKey: null },
    capCredits: 0,
    creditValueUsd: "1",
  });
  const entityIds = new Set(records.map((r) => r.entityId));
  const record = fusionRecord(
    {
      orgId: caller.orgId,
      type: "fusion",
      jobId: null,
      taskKey: null,
      entityId: entityIds.size === 1 ? (records[0]?.entityId ?? null) : null,
      schemaId: version.schemaId,
      schemaVersion: version.version,
    },
    outcome,
    records.map((r) => r.id),
    { onDemand: true },
    Date.now() - started,
  );
  return storedOr(await writeTask(db, { orgId: caller.orgId, actorKeyId: caller.keyId, records: [record] }), record);
}

/** A fusion whose conflicts an arbiter decides: a job of one task (the call is charged like any record). */
export async function createFusionJob(env: Env, db: Db, settings: Settings, caller: Caller, request: { recordIds: string[]; arbitrationModel: string }) {
  const { records, version } = await fusionInputs(db, caller.orgId, request.recordIds);
  const resolver = await ModelResolver.load(db, settings, caller.orgId);
  const arbitration = resolver.resolve(request.arbitrationModel, "arbitrationModel");
  const run: FusionRun = {
    mode: "fusion",
    recordIds: records.map((r) => r.id),
    schemaId: version.schemaId,
    schemaVersion: version.version,
    arbitration,
    requestBytes: 0,
  };
  const started = await launchOneTaskJob(env, db, settings, caller, run, resolver, { recordIds: run.recordIds, arbitrationModel: arbitration.key, schemaId: version.schemaId });
  return { ...started, arbitrationModel: arbitration.key };
}
