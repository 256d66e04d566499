/**
 * The answers README.md shows after a command: `# 201 {"id":"…","type":"person",…}`. The JSON is a pattern:
 * - `"…"` matches any value (the field must be there); a string with `…` in it matches any text in its place
 *   (`"dsr_live_…"` is any string that starts with `dsr_live_`);
 * - an object matches an object that has at least the fields it shows (the bare `…` member, "and more", is optional
 *   and only for the reader);
 * - an array matches an array of exactly those elements in order, unless it holds a bare `…`: then the elements it
 *   shows must appear in that order among others.
 * Erasable TypeScript only (runs under Node's type stripping).
 */
const ELLIPSIS = "…";
const MORE = "\u0000readme-check:more";

export type Pattern = unknown;

/** Turns the shown text into a pattern value; throws with the reason when it is not JSON with `…`. */
export function parsePattern(text: string): Pattern {
  let out = "";
  const stack: string[] = [];
  let inString = false;
  let lastSignificant = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (inString) {
      out += ch;
      if (ch === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") stack.push(ch);
    else if (ch === "}" || ch === "]") stack.pop();
    if (ch === ELLIPSIS) {
      const inObject = stack[stack.length - 1] === "{";
      const expectsKey = inObject && (lastSignificant === "{" || lastSignificant === ",");
      out += expectsKey ? `${JSON.stringify(MORE)}:true` : JSON.stringify(MORE);
      lastSignificant = '"';
      continue;
    }
    out += ch;
    if (!/\s/.test(ch)) lastSignificant = ch;
  }
  try {
    return JSON.parse(out);
  } catch (error) {
    throw new Error(`not JSON with "…" (${error instanceof Error ? error.message : error}): ${text}`);
  }
}

/** Whether the text opens more brackets than it closes (the pattern goes on on the next comment line). */
export function isUnbalanced(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
  }
  return depth > 0;
}

function matchesString(pattern: string, actual: unknown): boolean {
  if (pattern === ELLIPSIS || pattern === MORE) return true;
  if (!pattern.includes(ELLIPSIS)) return actual === pattern;
  if (typeof actual !== "string") return false;
  const source = pattern.split(ELLIPSIS).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*");
  return new RegExp(`^${source}$`).test(actual);
}

const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

/** The first difference between the pattern and the answer, as "path: why", or null when the answer matches. */
export function mismatch(pattern: Pattern, actual: unknown, path = "$"): string | null {
  if (typeof pattern === "string") return matchesString(pattern, actual) ? null : `${path}: expected ${show(pattern)}, got ${show(actual)}`;
  if (pattern === null || typeof pattern !== "object") {
    return Object.is(pattern, actual) ? null : `${path}: expected ${show(pattern)}, got ${show(actual)}`;
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    const shown = pattern.filter((p) => p !== MORE);
    if (shown.length === pattern.length) {
      if (actual.length !== pattern.length) return `${path}: expected ${pattern.length} elements, got ${actual.length}: ${show(actual)}`;
      for (const [i, p] of pattern.entries()) {
        const why = mismatch(p, actual[i], `${path}[${i}]`);
        if (why) return why;
      }
      return null;
    }
    // With `…`: each shown element matches a later element than the one before it.
    let from = 0;
    for (const [i, p] of shown.entries()) {
      let found = -1;
      for (let j = from; j < actual.length && found < 0; j++) if (mismatch(p, actual[j]) === null) found = j;
      if (found < 0) return `${path}: no element after index ${from - 1} matches the shown element ${i} ${show(p)} in ${show(actual)}`;
      from = found + 1;
    }
    return null;
  }
  if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return `${path}: expected an object, got ${show(actual)}`;
  for (const [key, p] of Object.entries(pattern)) {
    if (key === MORE) continue;
    if (!(key in actual)) return `${path}.${key}: missing (the answer has ${Object.keys(actual).join(", ") || "no fields"})`;
    const why = mismatch(p, (actual as Record<string, unknown>)[key], `${path}.${key}`);
    if (why) return why;
  }
  return null;
}
