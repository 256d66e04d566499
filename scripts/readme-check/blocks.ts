/**
 * README.md's shell blocks, as the check runs them. Every ```sh (or bash, shell) block runs, in order, unless the
 * line before its fence is a marker:
 *   <!-- readme-check: skip (why) -->   not run; the reason is required and shown in the check's summary
 *   <!-- readme-check: server -->       the command that starts the server (`npm run dev …`): the check runs it in
 *                                       the background and goes on once it prints "running on http://localhost:PORT"
 * Inside a block, a comment `# 201 {…}` (or just `# 204`) right after a command is the answer it shows: see pattern.ts.
 * Erasable TypeScript only (runs under Node's type stripping).
 */
import { isUnbalanced, type Pattern, parsePattern } from "./pattern.ts";

export interface Expectation {
  /** README line of the `# NNN` comment. */
  line: number;
  status: number;
  /** The shown body, when the comment shows one. */
  pattern?: Pattern;
  text: string;
}

export interface CodeLine {
  /** README line number (1-based). */
  line: number;
  text: string;
  /** The answer this line ends (the last line of an expectation comment). */
  expectation?: Expectation;
}

export interface Block {
  /** README line of the opening fence. */
  line: number;
  kind: "run" | "skip" | "server";
  reason?: string;
  code: CodeLine[];
}

const SHELL = new Set(["sh", "bash", "shell"]);
const MARKER = /^<!--\s*readme-check:\s*(.*?)\s*-->$/;
const EXPECTATION = /^\s*#\s([1-5]\d\d)(?:\s+([[{"].*))?\s*$/;

export class ReadmeError extends Error {}

function markerOf(lines: string[], fenceIndex: number): Pick<Block, "kind" | "reason"> {
  let i = fenceIndex - 1;
  while (i >= 0 && (lines[i] ?? "").trim() === "") i--;
  const match = (lines[i] ?? "").trim().match(MARKER);
  if (!match) return { kind: "run" };
  const what = match[1] ?? "";
  if (what === "server") return { kind: "server" };
  const skip = what.match(/^skip\s*\((.+)\)$/);
  if (skip) return { kind: "skip", reason: skip[1] };
  throw new ReadmeError(`line ${i + 1}: unknown marker "${what}" (use "skip (the reason)" or "server")`);
}

function readExpectations(code: CodeLine[]): CodeLine[] {
  for (let i = 0; i < code.length; i++) {
    const first = code[i];
    const match = first?.text.match(EXPECTATION);
    if (!first || !match) continue;
    let text = match[2] ?? "";
    let end = i;
    while (text && isUnbalanced(text) && end + 1 < code.length && /^\s*#/.test(code[end + 1]?.text ?? "")) {
      end++;
      text += ` ${(code[end]?.text ?? "").replace(/^\s*#\s?/, "").trim()}`;
    }
    let pattern: Pattern | undefined;
    try {
      pattern = text ? parsePattern(text) : undefined;
    } catch (error) {
      throw new ReadmeError(`line ${first.line}: the shown answer is ${error instanceof Error ? error.message : error}`);
    }
    const last = code[end];
    if (last) last.expectation = { line: first.line, status: Number(match[1]), pattern, text: `${match[1]} ${text}`.trim() };
    i = end;
  }
  return code;
}

export function readBlocks(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = (lines[i] ?? "").match(/^```\s*([\w-]*)/);
    if (!fence) continue;
    const start = i;
    const code: CodeLine[] = [];
    for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++) code.push({ line: i + 1, text: lines[i] ?? "" });
    if (i >= lines.length) throw new ReadmeError(`line ${start + 1}: a code block is never closed`);
    if (!SHELL.has((fence[1] ?? "").toLowerCase())) continue;
    blocks.push({ line: start + 1, ...markerOf(lines, start), code: readExpectations(code) });
  }
  return blocks;
}
