/**
 * One bash script that runs README.md's blocks in order in one shell (`set -euo pipefail`: a failing command, an
 * unset variable or a failing pipe stops it). `curl` is wrapped so that every answer's status and body are kept
 * (the command's own output is unchanged; answer N's body is kept as body.N); after each shown answer the script asks the checker to compare, and at
 * the end of each block it checks that no answer the README does not show was an error (4xx/5xx).
 * Erasable TypeScript only (runs under Node's type stripping).
 */
import type { Block, Expectation } from "./blocks.ts";

export interface BuiltScript {
  text: string;
  /** README line of each script line (1-based script line → README line), for bash's error messages. */
  readmeLineOf: Map<number, number>;
  expectations: Expectation[];
}

export interface ScriptOptions {
  stateDir: string;
  node: string;
  cli: string;
  readme: string;
  /** The port the server block's command is given (PORT) and must announce. */
  serverPort: number;
  serverTimeoutSeconds: number;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const prelude = (o: ScriptOptions) => `set -euo pipefail
__rc_state=${quote(o.stateDir)}
__rc_compare() { ${quote(o.node)} ${quote(o.cli)} --compare "$@" --state "$__rc_state"; }
curl() {
  : > "$__rc_state/headers"
  local code=0
  command curl -D "$__rc_state/headers" "$@" | tee "$__rc_state/body" || code=$?
  local status
  status=$(awk '/^HTTP\\//{ s = $2 } END { print s }' "$__rc_state/headers")
  echo "\${status:-000}" >> "$__rc_state/log"
  cp "$__rc_state/body" "$__rc_state/body.$(wc -l < "$__rc_state/log" | tr -d ' ')"
  echo "  [readme-check: answered \${status:-no answer}]" >&2
  return "$code"
}
__rc_block() { echo "$1" > "$__rc_state/block"; }
__rc_stop_server() {
  if [ -s "$__rc_state/server.pid" ]; then
    kill -TERM -- "-$(cat "$__rc_state/server.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$(cat "$__rc_state/server.pid")" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$(cat "$__rc_state/server.pid")" 2>/dev/null || true
    : > "$__rc_state/server.pid"
  fi
}
__rc_server() {
  __rc_stop_server
  : > "$__rc_state/server.log"
  PORT=${o.serverPort} setsid bash -c "$1" >> "$__rc_state/server.log" 2>&1 < /dev/null &
  echo $! > "$__rc_state/server.pid"
  local waited=0
  until grep -q "running on http://localhost:${o.serverPort}" "$__rc_state/server.log"; do
    if ! kill -0 "$(cat "$__rc_state/server.pid")" 2>/dev/null; then
      echo "readme-check: the server block's command exited before it was up:" >&2; tail -n 40 "$__rc_state/server.log" >&2; return 1
    fi
    if [ "$waited" -ge ${o.serverTimeoutSeconds * 5} ]; then
      echo "readme-check: the server was not up after ${o.serverTimeoutSeconds} s:" >&2; tail -n 40 "$__rc_state/server.log" >&2; return 1
    fi
    sleep 0.2; waited=$((waited + 1))
  done
}
`;

export function buildScript(blocks: Block[], o: ScriptOptions): BuiltScript {
  const lines = prelude(o).split("\n");
  const readmeLineOf = new Map<number, number>();
  const expectations: Expectation[] = [];
  const emit = (text: string, readmeLine?: number) => {
    lines.push(text);
    if (readmeLine !== undefined) readmeLineOf.set(lines.length, readmeLine);
  };
  for (const block of blocks) {
    if (block.kind === "skip") continue;
    emit(`__rc_block ${block.line}`, block.line);
    if (block.kind === "server") {
      const command = block.code.map((c) => c.text).join("\n");
      emit(`__rc_server ${quote(command)}`, block.line);
      continue;
    }
    for (const code of block.code) {
      emit(code.text, code.line);
      if (code.expectation) {
        expectations.push(code.expectation);
        emit(`__rc_compare expect ${expectations.length - 1}`, code.expectation.line);
      }
    }
    emit(`__rc_compare sweep ${block.line}`, block.line);
  }
  emit("__rc_stop_server");
  return { text: `${lines.join("\n")}\n`, readmeLineOf, expectations };
}
