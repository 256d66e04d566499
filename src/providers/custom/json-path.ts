/**
 * The JSON-path subset custom integrations use to read provider answers: `$`, then any of `.name`,
 * `[0]` (array index) and `["any key"]`, e.g. `$.data.people[0]["e-mail"]`. No wildcards, filters or
 * recursion: one path names at most one value.
 */
export type PathSegment = string | number;

export class JsonPathError extends Error {}

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d{1,6})\]|\["((?:[^"\\]|\\.)*)"\]|\['((?:[^'\\]|\\.)*)'\])/;
const MAX_SEGMENTS = 32;

export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith("$")) throw new JsonPathError("A path starts with $");
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (!m) throw new JsonPathError(`Unsupported path syntax at '${rest.slice(0, 20)}' (use .name, [0] or ["key"])`);
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push((m[3] ?? m[4] ?? "").replace(/\\(.)/g, "$1"));
    if (segments.length > MAX_SEGMENTS) throw new JsonPathError(`A path has at most ${MAX_SEGMENTS} steps`);
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** The value at the path, or undefined when any step is missing. Only own properties are read. */
export function readJsonPath(root: unknown, segments: PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof segment === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current) || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
