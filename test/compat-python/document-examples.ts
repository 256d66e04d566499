import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** A product's own document (../shared/reference/<product>.md): its examples are tested as published, not as copied. */
export const documentPath = (product: string) => resolve(import.meta.dirname, `../../../shared/reference/${product}.md`);
export const readDocument = (product: string) => readFileSync(documentPath(product), "utf8");
export const DOCUMENT = documentPath("entity-enricher");

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`the document no longer has its example from ${JSON.stringify(start)} to ${JSON.stringify(end)}`);
  return text.slice(from, to + end.length);
}

/**
 * The document's text was extracted from a web page and lost its indentation. Python's block rules put it back
 * without changing a character of the code: a line ending in `:` opens a block, `continue`/`break`/`return` close
 * the one they end, `elif`/`else`/`except` sit at their `if`'s level, the numbered step comments (`# 2. …`) start
 * again at the top, and lines inside an open bracket are continuations.
 */
export function reindentPython(code: string): string {
  let depth = 0;
  let brackets = 0;
  const out: string[] = [];
  for (const raw of code.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (brackets === 0) {
      if (/^# \d+\./.test(line)) depth = 0;
      if (/^(elif|else|except|finally)\b/.test(line)) depth = Math.max(0, depth - 1);
    }
    out.push(`${"    ".repeat(brackets > 0 ? depth + 1 : depth)}${line}`);
    const code = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
    const opened = brackets;
    brackets += (code.match(/[([{]/g) ?? []).length - (code.match(/[)\]}]/g) ?? []).length;
    if (opened > 0 || brackets > 0) continue;
    if (line.endsWith(":") && !line.startsWith("#")) depth += 1;
    else if (/^(continue|break|return\b|pass$)/.test(line)) depth = Math.max(0, depth - 1);
  }
  return `${out.join("\n")}\n`;
}

/** The Python workflow (list schemas, start an enrichment, stream until completed, print the record's structured_output). */
export function pythonWorkflow(document = readFileSync(DOCUMENT, "utf8")): string {
  return reindentPython(between(document, "import httpx", 'print(json.dumps(record["structured_output"], indent=2))'));
}

/** The curl batch example (start a batch with two models, stream it, list the records), for bash. */
export function curlBatch(document = readFileSync(DOCUMENT, "utf8")): string {
  return `${between(document, "# Start batch enrichment", "| jq '.records'")}\n`;
}

/** One curl command of a document, with what the document shows after it: a JSON example, or a one-line caption. */
export interface CurlExample {
  command: string;
  method: string;
  url: URL;
  /** The documented response body, when the document shows one right after the command. */
  response?: Record<string, unknown>;
  /** The line after the command (and its response example): the document's name for the answer. */
  caption: string;
}

/** Every `curl` command of a document (a line starting `curl ` and its `\`-continued lines), in the document's order. */
export function curlExamples(text: string): CurlExample[] {
  const lines = text.split("\n");
  const examples: CurlExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith("curl ")) continue;
    const command: string[] = [];
    while (i < lines.length) {
      const line = lines[i] ?? "";
      command.push(line);
      if (!line.trimEnd().endsWith("\\")) break;
      i++;
    }
    const joined = command.join("\n");
    const method = /-X (\w+)/.exec(joined)?.[1];
    const url = /"(https?:\/\/[^"]+)"/.exec(joined)?.[1];
    if (!method || !url) throw new Error(`a curl command without -X or a quoted URL: ${joined}`);
    let next = i + 1;
    while ((lines[next] ?? "").trim() === "" && next < lines.length) next++;
    let response: Record<string, unknown> | undefined;
    if (lines[next] === "{") {
      const end = lines.indexOf("}", next);
      response = JSON.parse(lines.slice(next, end + 1).join("\n"));
      next = end + 1;
      while ((lines[next] ?? "").trim() === "" && next < lines.length) next++;
    }
    examples.push({ command: joined, method, url: new URL(url), response, caption: lines[next] ?? "" });
  }
  return examples;
}

/** A response table of the document: `name` / `string | null` / `required` lines, as `{name: ["string", "null"]}`. */
export function documentedFieldTypes(text: string): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const m of text.matchAll(/^(\w+)\n((?:string|boolean|number)(?: \| null)?)\nrequired$/gm)) {
    const [, name = "", types = ""] = m;
    fields[name] = types.split(" | ");
  }
  return fields;
}

/**
 * Instaview's example request and response, from the text its web page left (field names and their example values):
 * the `profileIds` example after "1 - 10 elements", the `webhookId` example on the line after it, and the response
 * examples, in the order the document lists the response fields.
 */
export function instaviewExamples(text: string) {
  const profiles = /1 - 10 elements(\[[^\]]*\])/.exec(text)?.[1];
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith("1 - 10 elements"));
  const webhookId = lines[at + 1];
  const from = lines.indexOf("Response", at);
  if (!profiles || at < 0 || !webhookId || from < 0) throw new Error("instaview.md no longer has its request and response examples");
  // Each documented response field ends with its example value: `true`, `"…"`, or `processing, completed, failed "processing"`.
  const response = lines
    .slice(from + 1)
    .map((l) => /(?:^|\s)(true|false|"[^"]*")$/.exec(l.trim())?.[1])
    .filter((v): v is string => v !== undefined)
    .map((v) => JSON.parse(v) as unknown);
  return { request: { profileIds: JSON.parse(profiles) as string[], webhookId: JSON.parse(webhookId) as string }, response };
}

/**
 * gu1's per-result fields as its text lists them, `name(type[, optional])`. The page lost the spaces between a
 * description's last word and the next name (`…enrichment succeededenrichmentId(string)`), so a token is the name,
 * perhaps after a glued lowercase word: `documentedKey` finds the name among an answer's keys.
 */
export function gu1ResultFields(text: string): { token: string; type: string; optional: boolean }[] {
  return [...text.matchAll(/(\w+)\((boolean|string|object|array|number)(, optional)?\)/g)].map(([, token = "", type = "", optional]) => ({
    token,
    type,
    optional: optional !== undefined,
  }));
}

/** The key a gu1 token names: the token itself, or its longest key suffix after a glued lowercase word. */
export function documentedKey(token: string, keys: string[]): string | undefined {
  return keys
    .filter((k) => token === k || (token.endsWith(k) && /^[a-z]+$/.test(token.slice(0, -k.length)) && /^[a-z]/.test(k)))
    .sort((a, b) => b.length - a.length)[0];
}
