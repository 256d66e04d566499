import { ENTITY_TYPES, type EntityType } from "../../../domain/attributes";
import type { Db } from "../../../platform/db/client";
import { ApiError } from "../../../platform/errors";
import { FIELD_DICTIONARY, type FieldDefinition, isKnownField } from "../../../providers/field-dictionary";
import type { Integration } from "../../../providers/types";
import { catalogFor, findGroup } from "../../catalog";
import { isAttributeName, isWritableAttributeName } from "../../entities";
import { isTimeZone } from "../budget/windows";
import type { AutoConfig } from "./schema";

interface Problem {
  path: string;
  message: string;
}

/** An enriched field an integration may report for this entity type: a dictionary field of that type, or `custom.<name>`. */
function isEnrichedFieldOf(type: EntityType, field: string): boolean {
  if (!isKnownField(field)) return false;
  const definition = (FIELD_DICTIONARY as Record<string, FieldDefinition>)[field];
  return !definition || definition.entityTypes.includes(type);
}

/** An integration code, for one entity type, with the problem it has there (null: none). */
export function integrationProblem(catalog: Map<string, Integration>, code: string, type: EntityType): string | null {
  const integration = catalog.get(code);
  if (!integration) return `Unknown integration '${code}'`;
  return integration.entityTypes.includes(type) ? null : `${code} does not enrich ${type} entities`;
}

/**
 * What zod cannot check: the integrations and groups exist in this organization's catalog and enrich the entity type,
 * mapped fields are enriched fields of that type, and every attribute named is one of its attributes. All problems at
 * once, each with its path: 400 VALIDATION_ERROR.
 */
export async function checkConfig(db: Db, orgId: string, config: AutoConfig): Promise<void> {
  const problems: Problem[] = [];
  const push = (path: string, message: string) => problems.push({ path, message });
  const catalog = await catalogFor(db, orgId);
  for (const type of ENTITY_TYPES) {
    const t = config.entityTypes[type];
    const at = `entityTypes.${type}`;
    t.integrationCodes.forEach((code, i) => {
      const problem = integrationProblem(catalog, code, type);
      if (problem) push(`${at}.integrationCodes.${i}`, problem);
    });
    const groups = await Promise.all(t.enrichmentGroupRefs.map((ref) => findGroup(db, orgId, ref)));
    t.enrichmentGroupRefs.forEach((ref, i) => {
      if (!groups[i]) push(`${at}.enrichmentGroupRefs.${i}`, `Unknown enrichment group '${ref}'`);
    });
    t.requiredInputs.forEach((set, i) =>
      set.forEach((attribute, j) => {
        if (!isAttributeName(type, attribute)) push(`${at}.requiredInputs.${i}.${j}`, `'${attribute}' is not an attribute of a ${type}`);
      }),
    );
    const targets = new Map<string, string>();
    for (const [field, attribute] of Object.entries(t.fieldMapping)) {
      const path = `${at}.fieldMapping.${field}`;
      if (!isEnrichedFieldOf(type, field)) push(path, `'${field}' is not an enriched field of a ${type} (see GET /v1/integrations/fields)`);
      if (!isAttributeName(type, attribute) || !isWritableAttributeName(attribute)) push(path, `'${attribute}' is not an attribute of a ${type}`);
      const earlier = targets.get(attribute);
      if (earlier) push(path, `'${attribute}' is already mapped from '${earlier}'`);
      targets.set(attribute, field);
    }
    for (const attribute of Object.keys(t.writePolicy.fields)) {
      if (!isAttributeName(type, attribute)) push(`${at}.writePolicy.fields.${attribute}`, `'${attribute}' is not an attribute of a ${type}`);
    }
  }
  config.triggers.onUpdate.fields.forEach((attribute, i) => {
    if (!ENTITY_TYPES.some((type) => isAttributeName(type, attribute))) push(`triggers.onUpdate.fields.${i}`, `'${attribute}' is not an attribute`);
  });
  if (!isTimeZone(config.budget.timezone)) push("budget.timezone", `'${config.budget.timezone}' is not an IANA time zone`);
  if (problems.length > 0) throw new ApiError("VALIDATION_ERROR", "Invalid auto-enrichment configuration", { details: problems });
}
