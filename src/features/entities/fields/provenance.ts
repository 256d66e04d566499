import type { AttributeSource } from "../../../db/schema/entities";
import type { Attributes } from "../../../domain/attributes";
import { attributeEntries } from "./attribute-names";

export type AttributeSources = Record<string, AttributeSource>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The attributes whose value differs between two versions of an entity (set, changed or removed), by name. */
export function changedAttributes(before: Attributes, after: Attributes): string[] {
  const was = new Map(attributeEntries(before));
  const now = new Map(attributeEntries(after));
  return [...new Set([...was.keys(), ...now.keys()])].filter((name) => !same(was.get(name), now.get(name))).sort();
}

/**
 * Provenance after a customer write (API create/update/replace, import): every attribute the write set or changed is the
 * customer's from now on, the others keep their source, and removed ones lose theirs (an empty attribute has none).
 * `touched` names what the write sent, so re-sending a value the pipeline wrote makes it the customer's.
 */
export function sourcesAfterCustomerWrite(
  previous: AttributeSources,
  before: Attributes,
  after: Attributes,
  touched: Iterable<string>,
  stamp: { at: string; keyId: string | null },
): AttributeSources {
  const changed = new Set([...changedAttributes(before, after), ...touched]);
  const next: AttributeSources = {};
  for (const [name] of attributeEntries(after)) {
    const kept = previous[name];
    next[name] = changed.has(name) || !kept ? { source: "customer", setAt: stamp.at, setByKeyId: stamp.keyId } : kept;
  }
  return next;
}

/** What a write that names attributes touched: its top-level names, and `custom.<key>` for each custom key it sent. */
export function touchedBy(patch: Attributes): string[] {
  return attributeEntries(patch).map(([name]) => name);
}

/**
 * `attributeSources` as `?include=provenance` answers it: one entry per attribute the entity holds. An attribute with no
 * recorded source predates provenance and is the customer's, set when the entity was last written.
 */
export function presentSources(attributes: Attributes, sources: AttributeSources, fallbackAt: string): AttributeSources {
  return Object.fromEntries(attributeEntries(attributes).map(([name]) => [name, sources[name] ?? { source: "customer", setAt: fallbackAt }]));
}
