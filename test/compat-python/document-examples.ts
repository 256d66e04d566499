import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The product's own document, read at test time: its examples are tested as published, not as copied. */
export const DOCUMENT = resolve(import.meta.dirname, "../../../shared/reference/entity-enricher.md");

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`${DOCUMENT} no longer has its example from ${JSON.stringify(start)} to ${JSON.stringify(end)}`);
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
