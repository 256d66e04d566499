import type { EntityRow } from "../entities";
import type { Facts } from "./evaluate";
import type { Risk } from "./risk-level";

/** One integration's outcome as rules see it: `results.<code>.enrichmentData.…`, `.success`, `.status` … */
export interface ResultFact {
  success: boolean;
  status: string;
  enrichmentId: string | null;
  cached: boolean;
  credits: number;
  summary: string | null;
  fieldsEnriched: string[];
  dataQuality: unknown;
  enrichmentData: Record<string, unknown>;
  error: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * An enrichment result as an event carries it (`publicResult`) or as a record stores it (`result` holding summary and
 * enrichmentData, `error` beside it), as a fact. Skipped results are not facts.
 */
export function resultFact(raw: unknown): [string, ResultFact] | null {
  if (!isRecord(raw) || typeof raw.integrationCode !== "string" || raw.status === "skipped") return null;
  const result = isRecord(raw.result) ? raw.result : {};
  const status = typeof raw.status === "string" ? raw.status : raw.success === true ? "succeeded" : "failed";
  return [
    raw.integrationCode,
    {
      success: status === "succeeded",
      status,
      enrichmentId: typeof raw.enrichmentId === "string" ? raw.enrichmentId : typeof raw.id === "string" ? raw.id : null,
      cached: raw.cached === true,
      credits: typeof raw.credits === "number" ? raw.credits : 0,
      summary: typeof result.summary === "string" ? result.summary : null,
      fieldsEnriched: Array.isArray(result.fieldsEnriched) ? result.fieldsEnriched.map(String) : [],
      dataQuality: result.dataQuality ?? null,
      enrichmentData: isRecord(result.enrichmentData) ? result.enrichmentData : {},
      error: raw.error ?? null,
    },
  ];
}

/** Results by integration code; when a code ran twice, a success wins over a failure, else the later one. */
export function resultFacts(list: unknown): Record<string, ResultFact> {
  const facts: Record<string, ResultFact> = {};
  for (const raw of Array.isArray(list) ? list : []) {
    const fact = resultFact(raw);
    if (!fact) continue;
    const [code, value] = fact;
    const before = facts[code];
    if (!before || value.success || !before.success) facts[code] = value;
  }
  return facts;
}

export function entityFact(entity: EntityRow, risk: Risk): Record<string, unknown> {
  return {
    id: entity.id,
    type: entity.type,
    externalId: entity.externalId,
    attributes: entity.attributes,
    enriched: entity.enriched,
    tags: entity.tags,
    risk: { score: risk.score, level: risk.level },
  };
}

export interface EventFact {
  id: string;
  type: string;
  depth: number;
  data: Record<string, unknown>;
}

/** The facts document: the entity as it is now, the event's results by code, and the event (its data without the results). */
export function factsOf(entity: EntityRow, risk: Risk, event: EventFact, results: Record<string, ResultFact>): Facts {
  const { results: _results, ...data } = event.data;
  return { entity: entityFact(entity, risk), results, event: { id: event.id, type: event.type, depth: event.depth, data } };
}
