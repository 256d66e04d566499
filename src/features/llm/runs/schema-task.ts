import { ZERO_USAGE } from "../../../providers/llm/client";
import { DATA_RULE, delimitData, newBoundary } from "../../../providers/llm/delimit";
import { LlmCallError } from "../../../providers/llm/llm-errors";
import { recordWritten } from "../records/record-store";
import { applyEdit, EDIT_OUTPUT_SCHEMA } from "../schemas/schema-edit";
import { applyGeneration, draftPaths, GENERATION_OUTPUT_SCHEMA } from "../schemas/schema-generate";
import { contentOf, findSchemaVersion, type SchemaContent, schemaIssues, schemaJobStatements } from "../schemas/schema-store";
import { inferDraft } from "../schemas/infer-draft";
import type { SchemaIssue } from "../schema-subset";
import { callWithRetry } from "./call-model";
import { callRecord } from "./record-of";
import type { LlmTaskMessage, SchemaEditRun, SchemaGenerationRun } from "./run-spec";
import type { TaskInputs } from "./task-input";
import { type FinishedTask, resultOf, taskKeyOf } from "./task-result";
import { storedOr, writeTask } from "./write-task";

const SUBSET =
  "Dossier schemas are JSON Schema: object, string (formats date, date-time, time, email, uri, uuid, ipv4, ipv6, hostname; enum), number, integer, boolean, array, nested objects up to 5 levels, at most 200 properties. Properties may carry expertise (a domain key), identifying (a search key) and multilingual (free text per language).";

function generationPrompt(run: SchemaGenerationRun, draft: SchemaContent["jsonSchema"]) {
  const boundary = newBoundary();
  return {
    system: [
      "You design the research schema an enrichment service fills for each entity, starting from a draft inferred from sample records.",
      DATA_RULE,
      SUBSET,
      "Annotate every property of the draft: a clear description, whether it identifies the entity, whether it is free text worth translating, and its area of expertise. Group a large schema into a few expertise domains. Add a property only when the instructions ask for it.",
    ].join("\n"),
    user: [
      delimitData("Sample records:", run.samples, boundary),
      delimitData("The draft schema (its properties, as dotted paths, are listed after it):", { schema: draft, paths: draftPaths(draft) }, boundary),
      run.instructions ? `Instructions from the schema's owner: ${run.instructions}` : "No further instructions.",
    ].join("\n\n"),
  };
}

function editPrompt(run: SchemaEditRun, current: SchemaContent) {
  return {
    system: [
      "You edit a research schema by listing operations: add_property, remove_property, update_property, rename_property, set_domain, remove_domain, set_entity_type, set_description, set_name. Fields an operation does not use are null.",
      DATA_RULE,
      SUBSET,
      "Change only what the instruction asks for.",
    ].join("\n"),
    user: `${delimitData("The current schema:", current, newBoundary())}\n\nThe instruction: ${run.instruction}`,
  };
}

const issuesError = (issues: SchemaIssue[]) => ({
  code: "LLM_OUTPUT_INVALID",
  message: `The model's answer does not make a valid schema: ${issues
    .slice(0, 3)
    .map((i) => `${i.path}: ${i.message}`)
    .join("; ")}`,
});

/**
 * A schema generation or edit: one call with a fixed output shape, applied by code and validated as a whole. An
 * invalid result is a failed record with the reasons, and nothing is stored; a valid one is saved (generation with
 * `save`) or becomes the schema's next version (edit), in the same batch as its record.
 */
export async function schemaTask(inputs: TaskInputs, message: LlmTaskMessage, run: SchemaGenerationRun | SchemaEditRun, deadline: number): Promise<FinishedTask> {
  const base = { orgId: message.orgId, type: run.mode, jobId: message.jobId, taskKey: taskKeyOf(message) } as const;
  let current: SchemaContent | null = null;
  if (run.mode === "schema_edit") {
    const version = await findSchemaVersion(inputs.db, message.orgId, run.schemaId);
    current = version && version.version === run.schemaVersion ? contentOf(version) : null;
  }
  const draft = run.mode === "schema_generation" ? inferDraft(run.samples).jsonSchema : null;
  const prompt = run.mode === "schema_generation" ? generationPrompt(run, draft ?? {}) : current ? editPrompt(run, current) : null;
  if (!prompt) {
    const error = new LlmCallError("SYSTEM", "The schema changed or was deleted since the edit was asked for; ask again", "configuration");
    const record = callRecord({ ...base, schemaId: run.mode === "schema_edit" ? run.schemaId : null }, run.model, { ok: false, error, exchanges: [], usage: ZERO_USAGE, chargeableUsage: ZERO_USAGE, durationMs: 0 }, 0, message.creditValueUsd, {});
    const stored = storedOr(await writeTask(inputs.db, { orgId: message.orgId, actorKeyId: message.actorKeyId, records: [record] }), record);
    return { results: [resultOf("schema", stored)] };
  }
  const outcome = await callWithRetry(await inputs.callContext(message.orgId, deadline), run.model, {
    ...prompt,
    jsonSchema: run.mode === "schema_generation" ? GENERATION_OUTPUT_SCHEMA : EDIT_OUTPUT_SCHEMA,
    schemaName: run.mode,
    temperature: 0,
  });
  let applied: { content: SchemaContent; issues: SchemaIssue[]; operations?: unknown[] } | null = null;
  if (outcome.ok && run.mode === "schema_generation" && draft) applied = applyGeneration(draft, outcome.result.json, run.name);
  if (outcome.ok && run.mode === "schema_edit" && current) {
    const edit = applyEdit(current, Array.isArray(outcome.result.json.operations) ? outcome.result.json.operations : []);
    applied = { content: edit.content, issues: edit.issues, operations: edit.applied };
  }
  const issues = applied ? [...applied.issues, ...schemaIssues(applied.content)] : [];
  const valid = applied !== null && issues.length === 0;
  const schemaId = run.mode === "schema_generation" ? run.newSchemaId : run.schemaId;
  const saves = valid && (run.mode === "schema_edit" || run.save);
  const record = callRecord({ ...base, schemaId: saves ? schemaId : null }, run.model, outcome, message.capCredits, message.creditValueUsd, {
    success: valid,
    output: applied ? { ...applied.content } : null,
    details: {
      ...(draft ? { draft } : {}),
      ...(applied?.operations ? { operations: applied.operations, summary: outcome.ok ? outcome.result.json.summary : null } : {}),
      saved: saves ? { schemaId, version: run.mode === "schema_edit" ? run.schemaVersion + 1 : 1 } : null,
    },
    validationErrors: outcome.ok ? issues : outcome.error.validationErrors,
    error: outcome.ok ? (valid ? null : issuesError(issues)) : outcome.error.toJSON(),
  });
  const extra =
    saves && applied
      ? schemaJobStatements(
          inputs.db,
          { schemaId, orgId: message.orgId, actorKeyId: message.actorKeyId, content: applied.content, recordId: record.id, from: run.mode === "schema_edit" ? run.schemaVersion : null },
          recordWritten(record.id, message.orgId),
        )
      : [];
  const stored = storedOr(await writeTask(inputs.db, { orgId: message.orgId, actorKeyId: message.actorKeyId, records: [record], extra }), record);
  return {
    results: [
      resultOf("schema", stored, {
        mode: run.mode,
        draftProperties: draft ? draftPaths(draft).length : null,
        saved: stored.details?.saved ?? null,
        operations: stored.details?.operations ?? null,
        issues: stored.validationErrors,
      }),
    ],
  };
}
