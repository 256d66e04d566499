/** `recordId` → `record_id`; a key already in snake_case stays as it is. */
export const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Dossier's camelCase fields in snake_case, at every depth, except under the keys in `verbatim`: what a model
 * answered, a schema or an entity's own fields keep the keys they were given.
 */
export function snakeKeys(value: unknown, verbatim: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => snakeKeys(v, verbatim));
  if (!isPlain(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeCase(k), verbatim.has(k) ? v : snakeKeys(v, verbatim)]));
}
