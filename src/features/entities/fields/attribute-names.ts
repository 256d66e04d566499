import { type Attributes, type EntityType, attributeSchemaFor, companyAttributesSchema, personAttributesSchema } from "../../../domain/attributes";

/**
 * Attributes are named as provenance and field mappings name them: a top-level attribute (`title`), or `custom.<key>`
 * for one of the organization's own (the `custom` object itself is not one).
 */
const CUSTOM_KEY = /^custom\.([^.]{1,100})$/;

const namesOf = (type: EntityType) =>
  Object.keys((type === "person" ? personAttributesSchema : companyAttributesSchema).in.shape).filter((name) => name !== "custom");

const attributeNames: Record<EntityType, readonly string[]> = { person: namesOf("person"), company: namesOf("company") };

/** Whether `name` is an attribute of this entity type (`custom.<key>` always is). */
export function isAttributeName(type: EntityType, name: string): boolean {
  return attributeNames[type].includes(name) || CUSTOM_KEY.test(name);
}

export const customKeyOf = (name: string): string | null => CUSTOM_KEY.exec(name)?.[1] ?? null;

/** The value an attribute holds, or undefined when it is empty. */
export function attributeValue(attributes: Attributes, name: string): unknown {
  const key = customKeyOf(name);
  const value = key === null ? attributes[name] : (attributes.custom as Record<string, unknown> | undefined)?.[key];
  return value === null || value === "" ? undefined : value;
}

/** Every attribute an entity holds, by name (custom ones as `custom.<key>`). */
export function attributeEntries(attributes: Attributes): [string, unknown][] {
  return Object.entries(attributes).flatMap(([name, value]): [string, unknown][] =>
    name === "custom" && value && typeof value === "object"
      ? Object.entries(value as Record<string, unknown>).map(([key, v]): [string, unknown] => [`custom.${key}`, v])
      : [[name, value]],
  );
}

export type NormalizedValue = { ok: true; value: unknown } | { ok: false; message: string };

/** One value for one attribute, validated and normalized by the attribute's own rules (as an API write would be). */
export function normalizeAttributeValue(type: EntityType, name: string, value: unknown): NormalizedValue {
  if (!isAttributeName(type, name)) return { ok: false, message: `'${name}' is not an attribute of a ${type}` };
  const key = customKeyOf(name);
  const parsed = attributeSchemaFor(type).safeParse(key === null ? { [name]: value } : { custom: { [key]: value } });
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "Invalid value" };
  const normalized = attributeValue(parsed.data as Attributes, name);
  return normalized === undefined ? { ok: false, message: "Empty value" } : { ok: true, value: normalized };
}

/** The JSON path of an attribute inside the `attributes` column (`$."title"`, `$."custom"."key"`). */
export function attributePath(name: string): string {
  const key = customKeyOf(name);
  return key === null ? `$.${quotePathKey(name)}` : `$."custom".${quotePathKey(key)}`;
}

/** The JSON path of an attribute's entry in `attribute_sources` (one key, `"custom.key"` included). */
export function sourcePath(name: string): string {
  if (!isWritableAttributeName(name)) throw new Error(`Attribute name not usable as a JSON path: ${name.slice(0, 120)}`);
  return `$."${name}"`;
}

/** Attribute names that reach SQL as JSON paths are plain words; anything else is refused before it gets there. */
const SAFE_KEY = /^[A-Za-z0-9_-]{1,100}$/;

function quotePathKey(key: string): string {
  if (!SAFE_KEY.test(key)) throw new Error(`Attribute name not usable as a JSON path: ${key.slice(0, 120)}`);
  return `"${key}"`;
}

/** Whether an attribute can be written field by field in SQL (promotions, resolutions): letters, digits, `_`, `-`. */
export const isWritableAttributeName = (name: string) => SAFE_KEY.test(customKeyOf(name) ?? name);
