/**
 * `npm run test:readme`: runs every shell example of README.md, in order, in one bash shell, in a fresh checkout
 * (scripts/lib/temp-checkout.ts: no .dev.vars, no .wrangler state), and fails when one answers differently from what
 * the README shows. The README's own server block (`npm run dev`) starts the server, so the walk-through starts from
 * exactly what a newcomer's `npm run dev` gives; 8787, 8790 and 8791 in the blocks are read as free ports. The conventions
 * (markers, shown answers) are in README.md, "About the examples", and in readme-check/blocks.ts and pattern.ts.
 *
 *   node scripts/readme-check.ts [--readme FILE] [--workdir DIR] [--verbose] [--keep]
 *     --readme   another README (the checker's own tests use small synthetic ones)
 *     --workdir  run in DIR instead of a fresh checkout of this repository
 *     --verbose  stream the examples' output (otherwise only its end is shown, on failure)
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Expectation, ReadmeError, readBlocks } from "./readme-check/blocks.ts";
import { mismatch } from "./readme-check/pattern.ts";
import { buildScript } from "./readme-check/script.ts";
import { tempCheckout } from "./lib/temp-checkout.ts";

const root = resolve(import.meta.dirname, "..");
/** The README's ports, replaced by free ones: the dev server's, the example webhook receiver's and local LLM's. */
const README_PORTS = [8787, 8790, 8791];

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

const read = (path: string, fallback = "") => (existsSync(path) ? readFileSync(path, "utf8") : fallback);

/** `--compare expect N` / `--compare sweep LINE`, called by the generated script after a shown answer / at a block's end. */
function compare(what: string, arg: string, state: string): number {
  const readme = read(join(state, "readme"));
  const statuses = read(join(state, "log")).split("\n").filter(Boolean);
  const swept = Number(read(join(state, "swept"), "0"));
  const fail = (line: number, message: string) => {
    const text = `${readme}:${line}: ${message}\n`;
    appendFileSync(join(state, "failure"), text);
    process.stderr.write(text);
    return 1;
  };
  const bodyOf = (n: number) => read(join(state, `body.${n}`)).trim();
  const shownLine = what === "expect" ? (JSON.parse(read(join(state, "expectations.json"))) as Expectation[])[Number(arg)]?.line : Number(arg);
  const last = what === "expect" ? statuses.length - 1 : statuses.length;
  for (let n = swept; n < last; n++) {
    if (Number(statuses[n]) >= 400) {
      return fail(shownLine ?? 0, `a command before this point answered ${statuses[n]} and the README shows no answer for it: ${bodyOf(n + 1).slice(0, 500)}`);
    }
  }
  writeFileSync(join(state, "swept"), String(statuses.length));
  if (what === "sweep") return 0;
  const expectation = (JSON.parse(read(join(state, "expectations.json"))) as Expectation[])[Number(arg)];
  if (!expectation) return fail(0, `no expectation ${arg}`);
  if (statuses.length <= swept) return fail(expectation.line, `shows an answer (${expectation.text}) but no HTTP request was made since the previous one`);
  const status = Number(statuses[statuses.length - 1]);
  const body = bodyOf(statuses.length);
  if (status !== expectation.status) return fail(expectation.line, `expected status ${expectation.status}, got ${status}: ${body.slice(0, 1000)}`);
  if (expectation.pattern === undefined) return 0;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return fail(expectation.line, `the README shows a JSON answer, but the body is not JSON: ${body.slice(0, 500)}`);
  }
  const why = mismatch(expectation.pattern, json);
  return why ? fail(expectation.line, `${status} answer differs from the README's ${expectation.text}\n  ${why}\n  answer: ${body.slice(0, 1500)}`) : 0;
}

async function check(options: { readme: string; workdir?: string; verbose: boolean; keep: boolean }): Promise<number> {
  const started = Date.now();
  const readmeName = relative(process.cwd(), options.readme) || options.readme;
  const ports = new Map<number, number>();
  for (const port of README_PORTS) ports.set(port, await freePort());
  // The check's free ports in place of the README's, in commands and shown answers alike.
  let markdown = readFileSync(options.readme, "utf8");
  for (const [from, to] of ports) markdown = markdown.replace(new RegExp(`\\b${from}\\b`, "g"), String(to));
  const blocks = readBlocks(markdown);
  const state = mkdtempSync(join(tmpdir(), "dossier-readme-check-"));
  const checkout = options.workdir ? null : tempCheckout(root, "dossier-readme-checkout-");
  const workdir = options.workdir ?? checkout?.dir ?? root;
  const serverPort = ports.get(8787) ?? 0;
  const script = buildScript(blocks, {
    stateDir: state,
    node: process.execPath,
    cli: import.meta.filename,
    readme: readmeName,
    serverPort,
    serverTimeoutSeconds: 240,
  });
  writeFileSync(join(state, "script.sh"), script.text);
  writeFileSync(join(state, "expectations.json"), JSON.stringify(script.expectations));
  writeFileSync(join(state, "readme"), readmeName);

  const output = createWriteStream(join(state, "output.log"));
  const { PORT: _port, ...env } = process.env;
  const bash = spawn("bash", [join(state, "script.sh")], { cwd: workdir, env: { ...env, NO_COLOR: "1" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [bash.stdout, bash.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      output.write(chunk);
      if (options.verbose) process.stdout.write(chunk);
    });
  }
  const killAll = () => {
    const server = read(join(state, "server.pid")).trim();
    for (const pid of [server, String(bash.pid ?? "")]) {
      if (!pid) continue;
      try {
        process.kill(-Number(pid), "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  };
  process.once("SIGINT", () => {
    killAll();
    process.exit(130);
  });
  const [code] = (await once(bash, "exit")) as [number | null];
  killAll();
  await new Promise((done) => output.end(done));

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const ran = blocks.filter((b) => b.kind !== "skip");
  const skipped = blocks.filter((b) => b.kind === "skip");
  for (const block of skipped) console.log(`readme-check: skipped the block at ${readmeName}:${block.line} (${block.reason})`);
  let result = 0;
  if (code !== 0) {
    const toReadme = (text: string) =>
      text.replace(/script\.sh: line (\d+)/g, (whole, n: string) => {
        const line = script.readmeLineOf.get(Number(n));
        return line === undefined ? whole : `${readmeName}:${line}`;
      });
    const tail = read(join(state, "output.log")).split("\n").slice(-40).join("\n");
    const block = read(join(state, "block")).trim();
    console.error(`\nreadme-check: the examples stopped in the block at ${readmeName}:${block} (exit ${code}). The end of their output:\n`);
    console.error(toReadme(tail));
    const failure = read(join(state, "failure"));
    if (failure && !tail.includes(failure.trim())) console.error(`\n${failure}`);
    console.error(`readme-check: 0 passed, 1 failed (${seconds} s; the script and its state are in ${state})`);
    result = 1;
  } else {
    console.log(
      `readme-check: ran ${ran.length} blocks of ${readmeName} (${skipped.length} skipped), ${script.expectations.length} shown answers matched, in ${seconds} s`,
    );
    console.log(`readme: ${script.expectations.length} passed, 0 failed`);
  }
  if (!options.keep && result === 0) rmSync(state, { recursive: true, force: true });
  if (checkout && !options.keep) rmSync(checkout.parent, { recursive: true, force: true });
  return result;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      readme: { type: "string" },
      workdir: { type: "string" },
      verbose: { type: "boolean" },
      keep: { type: "boolean" },
      compare: { type: "string" },
      state: { type: "string" },
    },
  });
  if (values.compare) return compare(values.compare, positionals[0] ?? "", values.state ?? "");
  const readme = resolve(values.readme ?? join(root, "README.md"));
  try {
    return await check({ readme, workdir: values.workdir ? resolve(values.workdir) : values.readme ? dirname(readme) : undefined, verbose: values.verbose === true, keep: values.keep === true });
  } catch (error) {
    if (error instanceof ReadmeError) {
      console.error(`${relative(process.cwd(), readme)}:${error.message.replace(/^line /, "")}`);
      console.error("readme: 0 passed, 1 failed");
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main();
