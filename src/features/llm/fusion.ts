import { isSchemaObject, mainType } from "../../providers/llm/schema-map";
import type { JsonSchema } from "../../providers/llm/types";
import { comparisonKey, isAbstention, lowerWeightedMedian, numbersAgree } from "./fusion-normalize";
import { getPath, type SchemaLeaf, schemaLeaves, setPath } from "./schema-leaves";

/** One model's record for the entity. */
export interface FusionInput {
  /** `provider::model`. */
  model: string;
  recordId: string;
  output: Record<string, unknown>;
  /** The model's weight (default 1). */
  weight?: number;
  /** Self-reported confidence per leaf path, 0..1 (default 1). */
  fieldConfidence?: Record<string, number>;
}

export interface FusionOptions {
  /** A value wins with a weighted share strictly above this (default 0.5). */
  threshold?: number;
  /** Relative tolerance for `number` fields (default 0.005 = 0.5 %); integers are exact unless `tolerances` says. */
  numberTolerance?: number;
  /** Per leaf path tolerance. */
  tolerances?: Record<string, number>;
  /** One voter may decide a field (default true; its confidence is capped by voters / models). */
  allowSingleSource?: boolean;
  /** Tie-break order of models (the request's `models`); models not listed follow in key order. */
  modelOrder?: string[];
}

export type FieldStatus = "agreed" | "conflicted" | "arbitrated" | "no_data";
export type FieldMethod = "majority" | "single_source" | "median" | "union" | "plurality" | "arbitration" | "none";

/** A distinct answer for a field and who gave it. */
export interface FieldCandidate {
  value: unknown;
  key: string;
  models: string[];
  /** Its share of the voting weight. */
  share: number;
}

export interface FusedField {
  path: string;
  fieldType: "scalar" | "array" | "multilingual";
  value: unknown;
  status: FieldStatus;
  confidence: number;
  method: FieldMethod;
  /** The share of the voting weight behind the value (0 when no one voted). */
  agreement: number;
  /** Every model's answer (abstentions as null): the provenance. */
  sources: { model: string; recordId: string; value: unknown }[];
  /** The models whose answers make up the value. */
  agreedModels: string[];
  /** Distinct answers, best first. */
  candidates: FieldCandidate[];
  /** A translation differs while the primary language agrees: counts as agreed, not sent to arbitration. */
  translationOnly: boolean;
}

export interface ConflictReport {
  agreedFields: number;
  conflictedFields: number;
  arbitratedFields: number;
  noDataFields: number;
  totalFields: number;
  conflicts: { path: string; fieldType: FusedField["fieldType"]; valuesByModel: Record<string, unknown>; needsArbitration: boolean; translationOnly: boolean }[];
}

export interface FusionResult {
  output: Record<string, unknown>;
  fields: FusedField[];
  report: ConflictReport;
  /** Mean confidence of the fields that have a value. */
  confidenceScore: number;
}

interface Vote {
  model: string;
  recordId: string;
  order: number;
  value: unknown;
  key: string;
  weight: number;
}

interface Group {
  votes: Vote[];
  score: number;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Models in a fixed order whatever order the records came in: the tie-break order. */
function canonicalOrder(inputs: FusionInput[], modelOrder: string[] = []): FusionInput[] {
  const rank = (m: string) => {
    const i = modelOrder.indexOf(m);
    return i < 0 ? modelOrder.length : i;
  };
  return [...inputs].sort((a, b) => rank(a.model) - rank(b.model) || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || (a.recordId < b.recordId ? -1 : 1));
}

function groupVotes(votes: Vote[], leaf: SchemaLeaf, tolerance: number): Group[] {
  const numeric = (mainType(leaf.schema) === "number" || mainType(leaf.schema) === "integer") && votes.every((v) => typeof v.value === "number");
  const groups: Vote[][] = [];
  if (numeric) {
    const sorted = [...votes].sort((a, b) => (a.value as number) - (b.value as number) || a.order - b.order);
    for (const v of sorted) {
      const last = groups[groups.length - 1];
      const prev = last?.[last.length - 1];
      if (last && prev && numbersAgree(prev.value as number, v.value as number, tolerance)) last.push(v);
      else groups.push([v]);
    }
  } else {
    const byKey = new Map<string, Vote[]>();
    for (const v of votes) byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
    groups.push(...byKey.values());
  }
  return groups
    .map((g) => ({ votes: g, score: g.reduce((s, v) => s + v.weight, 0) }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.votes.length - a.votes.length ||
        Math.max(...b.votes.map((v) => v.weight)) - Math.max(...a.votes.map((v) => v.weight)) ||
        Math.min(...a.votes.map((v) => v.order)) - Math.min(...b.votes.map((v) => v.order)),
    );
}

/** The group's value: numbers its lower weighted median, otherwise its heaviest (then earliest) member's value. */
function representative(group: Group, numeric: boolean): unknown {
  if (numeric) return lowerWeightedMedian(group.votes.map((v) => ({ value: v.value as number, weight: v.weight })));
  const best = [...group.votes].sort((a, b) => b.weight - a.weight || a.order - b.order)[0];
  return best?.value;
}

/** Arrays without a winning set: the items that more than `threshold` of the voting weight included. */
function majorityUnion(votes: Vote[], leaf: SchemaLeaf, total: number, threshold: number): unknown[] {
  const items = isSchemaObject(leaf.schema.items) ? leaf.schema.items : {};
  const weightOf = new Map<string, { weight: number; value: unknown; first: number }>();
  votes.forEach((v) => {
    const seen = new Set<string>();
    (v.value as unknown[]).forEach((item, i) => {
      if (isAbstention(item)) return;
      const k = comparisonKey(item, items);
      if (seen.has(k)) return;
      seen.add(k);
      const entry = weightOf.get(k) ?? { weight: 0, value: item, first: v.order * 1000 + i };
      entry.weight += v.weight;
      weightOf.set(k, entry);
    });
  });
  return [...weightOf.values()].filter((e) => e.weight / total > threshold).sort((a, b) => a.first - b.first).map((e) => e.value);
}

function fuseLeaf(leaf: SchemaLeaf, inputs: FusionInput[], options: FusionOptions): FusedField {
  const threshold = options.threshold ?? 0.5;
  const type = mainType(leaf.schema);
  const tolerance = options.tolerances?.[leaf.path] ?? (type === "number" ? (options.numberTolerance ?? 0.005) : 0);
  const sources = inputs.map((r) => {
    const v = getPath(r.output, leaf.segments);
    return { model: r.model, recordId: r.recordId, value: isAbstention(v) ? null : (v ?? null) };
  });
  const votes: Vote[] = [];
  inputs.forEach((r, order) => {
    const value = sources[order]?.value;
    if (value === null || value === undefined) return;
    const confidence = r.fieldConfidence?.[leaf.path] ?? 1;
    votes.push({ model: r.model, recordId: r.recordId, order, value, key: comparisonKey(value, leaf.schema), weight: (r.weight ?? 1) * confidence });
  });
  const fieldType: FusedField["fieldType"] = leaf.language ? "multilingual" : type === "array" ? "array" : "scalar";
  const base = { path: leaf.path, fieldType, sources, translationOnly: false };
  const total = votes.reduce((s, v) => s + v.weight, 0);
  if (votes.length === 0 || total <= 0) {
    return { ...base, value: null, status: "no_data", confidence: 0, method: "none", agreement: 0, agreedModels: [], candidates: [] };
  }
  const numeric = (type === "number" || type === "integer") && votes.every((v) => typeof v.value === "number");
  const groups = groupVotes(votes, leaf, tolerance);
  const candidates = groups.map((g) => ({ value: representative(g, numeric), key: g.votes[0]?.key ?? "", models: g.votes.map((v) => v.model), share: round(g.score / total) }));
  const top = groups[0] as Group;
  const agreement = top.score / total;
  const coverage = Math.min(1, votes.length / inputs.length);
  const single = votes.length === 1;
  if (agreement > threshold && (!single || (options.allowSingleSource ?? true))) {
    return {
      ...base,
      value: representative(top, numeric),
      status: "agreed",
      confidence: round(agreement * coverage),
      method: single ? "single_source" : "majority",
      agreement: round(agreement),
      agreedModels: top.votes.map((v) => v.model),
      candidates,
    };
  }
  let value = representative(top, numeric);
  let method: FieldMethod = "plurality";
  let agreedModels = top.votes.map((v) => v.model);
  if (numeric) {
    value = lowerWeightedMedian(votes.map((v) => ({ value: v.value as number, weight: v.weight })));
    method = "median";
    agreedModels = [];
  } else if (type === "array" && votes.every((v) => Array.isArray(v.value))) {
    const union = majorityUnion(votes, leaf, total, threshold);
    if (union.length > 0) {
      value = union;
      method = "union";
      agreedModels = [];
    }
  }
  return { ...base, value, status: "conflicted", confidence: round(agreement * coverage), method, agreement: round(agreement), agreedModels, candidates };
}

/** Rebuilds the output, the report and the record confidence from the fields (after fusion or arbitration). */
export function summarize(fields: FusedField[]): FusionResult {
  const output: Record<string, unknown> = {};
  for (const f of fields) if (f.value !== null && f.value !== undefined) setPath(output, f.path.split("."), f.value);
  const count = (s: FieldStatus) => fields.filter((f) => f.status === s).length;
  const valued = fields.filter((f) => f.status !== "no_data");
  return {
    output,
    fields,
    report: {
      agreedFields: count("agreed"),
      conflictedFields: count("conflicted"),
      arbitratedFields: count("arbitrated"),
      noDataFields: count("no_data"),
      totalFields: fields.length,
      conflicts: fields
        .filter((f) => f.status === "conflicted" || f.status === "arbitrated" || f.translationOnly)
        .map((f) => ({
          path: f.path,
          fieldType: f.fieldType,
          valuesByModel: Object.fromEntries(f.sources.map((s) => [s.model, s.value])),
          needsArbitration: f.status === "conflicted",
          translationOnly: f.translationOnly,
        })),
    },
    confidenceScore: valued.length ? round(valued.reduce((s, f) => s + f.confidence, 0) / valued.length) : 0,
  };
}

/**
 * Fuses K model records of one entity field by field (research llm.md §2.3): values are compared after
 * normalizing by schema type; abstentions cast no vote; a value wins with a weighted share above the threshold;
 * otherwise the field is conflicted and gets the weighted median (numbers), the majority union (arrays) or the
 * plurality value. Deterministic: records are put in a canonical order first, so their order does not matter.
 * Translations (multilingual leaves other than the first language) whose primary-language value agreed count as
 * agreed (`translationOnly`), as they differ in wording, not in fact.
 */
export function fuse(schema: JsonSchema, records: FusionInput[], options: FusionOptions = {}): FusionResult {
  const inputs = canonicalOrder(records, options.modelOrder);
  const leaves = schemaLeaves(schema);
  const fields = leaves.map((leaf) => fuseLeaf(leaf, inputs, options));
  const byPath = new Map(fields.map((f) => [f.path, f]));
  leaves.forEach((leaf, i) => {
    const field = fields[i];
    if (!leaf.language || !field || field.status !== "conflicted") return;
    const siblings = leaves.filter((l) => l.language && l.segments.slice(0, -1).join(".") === leaf.segments.slice(0, -1).join("."));
    const primary = siblings[0] && byPath.get(siblings[0].path);
    if (primary && primary !== field && primary.status === "agreed") {
      fields[i] = { ...field, status: "agreed", translationOnly: true };
    }
  });
  return summarize(fields);
}
