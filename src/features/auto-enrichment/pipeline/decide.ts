import type { ConflictKind } from "../../../db/schema/auto-enrichment";
import type { AttributeSource } from "../../../db/schema/entities";
import type { Attributes, EntityType } from "../../../domain/attributes";
import { type AttributeSources, attributeValue, normalizeAttributeValue } from "../../entities";
import type { AutoConfig, EntityTypeConfig } from "../config/schema";
import { policyFor } from "../config/schema";

/** What one integration found, as promotion sees it. */
export interface Finding {
  integrationCode: string;
  enrichmentId: string;
  confidence: number;
  /** When it was found. */
  at: string;
  fields: Record<string, unknown>;
}

/** A proposal the pipeline may not apply by itself (or applied by autoAccept, recorded as resolved). */
export interface ConflictDraft {
  id: string;
  field: string;
  enrichedField: string;
  kind: ConflictKind;
  currentValue: unknown;
  currentSource: AttributeSource | null;
  proposedValue: unknown;
  proposedHash: string;
  proposedSource: string;
  proposedConfidence: number;
  enrichmentId: string;
  /** True when this proposal was already open (it only counts one more occurrence). */
  repeat: boolean;
  /** Accepted by `conflicts.autoAccept`: recorded as resolved, and its write is in `writes`. */
  autoAccepted: boolean;
}

/** A value the pipeline writes into an attribute, as a compare-and-set against what it read. */
export interface PlannedWrite {
  field: string;
  enrichedField: string;
  integrationCode: string;
  value: unknown;
  before: unknown;
  source: AttributeSource;
  /** `fill` an empty attribute, or `update` one that enrichment wrote. */
  kind: "fill" | "update";
}

export interface FieldOutcome {
  filled: string[];
  updated: string[];
  proposed: string[];
  skipped: { field: string; reason: string }[];
  conflictIds: string[];
}

export interface Decision {
  byIntegration: Map<string, FieldOutcome>;
  writes: PlannedWrite[];
  conflicts: ConflictDraft[];
}

export interface DecideInput {
  entityType: EntityType;
  attributes: Attributes;
  sources: AttributeSources;
  typeConfig: EntityTypeConfig;
  autoAccept: AutoConfig["conflicts"]["autoAccept"];
  /** In plan order. */
  findings: Finding[];
  openConflicts: Map<string, string>;
  suppressed: Set<string>;
  hashOf: (value: unknown) => Promise<string>;
  now: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const emptyOutcome = (): FieldOutcome => ({ filled: [], updated: [], proposed: [], skipped: [], conflictIds: [] });

/**
 * Which mapped findings become attribute values, which become proposals for review, and which are left alone, per the
 * entity type's mapping, write policies and confidence floor. A value the customer gave (or a person settled) is never
 * replaced here, whatever the policy: a differing finding becomes a conflict. Pure but for `hashOf`.
 */
export async function decideFields(input: DecideInput): Promise<Decision> {
  const byIntegration = new Map(input.findings.map((f) => [f.integrationCode, emptyOutcome()]));
  const outcome = (code: string) => byIntegration.get(code) ?? emptyOutcome();
  const writes: PlannedWrite[] = [];
  const conflicts: ConflictDraft[] = [];
  const { typeConfig } = input;

  for (const [enrichedField, field] of Object.entries(typeConfig.fieldMapping)) {
    const candidates = input.findings.filter((f) => f.fields[enrichedField] !== undefined && f.fields[enrichedField] !== null);
    if (candidates.length === 0) continue;
    const eligible = candidates.filter((f) => {
      if (f.confidence >= typeConfig.minConfidence) return true;
      outcome(f.integrationCode).skipped.push({ field, reason: "below_min_confidence" });
      return false;
    });
    // The most confident eligible finding speaks for the attribute; the others are reported as superseded.
    const best = eligible.reduce<Finding | undefined>((b, f) => (!b || f.confidence > b.confidence ? f : b), undefined);
    for (const f of eligible) if (f !== best) outcome(f.integrationCode).skipped.push({ field, reason: "superseded" });
    if (!best) continue;
    const mine = outcome(best.integrationCode);
    const skip = (reason: string) => mine.skipped.push({ field, reason });

    const policy = policyFor(typeConfig, field);
    if (policy === "none") {
      skip("policy_none");
      continue;
    }
    const normalized = normalizeAttributeValue(input.entityType, field, best.fields[enrichedField]);
    if (!normalized.ok) {
      skip("invalid_value");
      continue;
    }
    const proposed = normalized.value;
    const current = attributeValue(input.attributes, field);
    if (same(current, proposed)) {
      skip("unchanged");
      continue;
    }
    const proposedHash = await input.hashOf(proposed);
    if (input.suppressed.has(`${field}|${best.integrationCode}|${proposedHash}`)) {
      skip("suppressed");
      continue;
    }
    const currentSource: AttributeSource | null =
      current === undefined ? null : (input.sources[field] ?? { source: "customer", setAt: "" });
    const source: AttributeSource = {
      source: "enrichment",
      integrationCode: best.integrationCode,
      enrichmentId: best.enrichmentId,
      confidence: best.confidence,
      setAt: input.now,
    };
    const write = (kind: PlannedWrite["kind"]): PlannedWrite => ({
      field,
      enrichedField,
      integrationCode: best.integrationCode,
      value: proposed,
      before: current,
      source,
      kind,
    });
    const propose = (kind: ConflictKind, autoAccepted = false) => {
      const openId = autoAccepted ? undefined : input.openConflicts.get(`${field}|${proposedHash}`);
      const draft: ConflictDraft = {
        id: openId ?? crypto.randomUUID(),
        field,
        enrichedField,
        kind,
        currentValue: current ?? null,
        currentSource,
        proposedValue: proposed,
        proposedHash,
        proposedSource: best.integrationCode,
        proposedConfidence: best.confidence,
        enrichmentId: best.enrichmentId,
        repeat: openId !== undefined,
        autoAccepted,
      };
      conflicts.push(draft);
      mine.conflictIds.push(draft.id);
      return draft;
    };

    if (policy === "review") {
      propose("review_required");
      mine.proposed.push(field);
    } else if (current === undefined) {
      writes.push(write("fill"));
      mine.filled.push(field);
    } else if (currentSource?.source !== "enrichment") {
      propose("customer_value");
      mine.proposed.push(field);
    } else if (policy === "overwrite") {
      writes.push(write("update"));
      mine.updated.push(field);
    } else if (autoAccepts(input.autoAccept, best, currentSource)) {
      propose("source_disagreement", true);
      writes.push(write("update"));
      mine.updated.push(field);
    } else {
      propose("source_disagreement");
      mine.proposed.push(field);
    }
  }
  return { byIntegration, writes, conflicts };
}

/** autoAccept: only over an enrichment value, confident enough, and (if asked) found after that value was set. */
function autoAccepts(rule: AutoConfig["conflicts"]["autoAccept"], finding: Finding, current: AttributeSource): boolean {
  if (!rule.enabled || current.source !== "enrichment" || finding.confidence < rule.minConfidence) return false;
  return !rule.requireNewer || finding.at > current.setAt;
}
