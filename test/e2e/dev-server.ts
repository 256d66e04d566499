import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const root = resolve(import.meta.dirname, "../..");
const WRANGLER = join(root, "node_modules", ".bin", "wrangler");
/** Nothing leaves the machine: no metrics, no download of the `Request.cf` sample. */
const childEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", NO_COLOR: "1" };

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  server.close();
  await once(server, "close");
  return port;
}

/** Runs a command to completion in its own process group, killing the group if it overruns. */
export async function run(args: string[], timeoutMs: number): Promise<string> {
  const child = spawn(WRANGLER, args, { cwd: root, env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), timeoutMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`wrangler ${args.join(" ")} failed (${code}):\n${output.slice(-3000)}`);
  return output;
}

/** Negative pid: the whole process group, so workerd and esbuild go with wrangler. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Groups started and not yet reaped: killed if this process exits early (an interrupted run). */
const live = new Set<ChildProcess>();
const reapAll = () => {
  for (const child of live) killGroup(child, "SIGKILL");
};
process.once("exit", reapAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    reapAll();
    process.exit(130);
  });
}

function track(child: ChildProcess) {
  live.add(child);
  child.once("exit", () => {
    // The leader is gone; make sure nothing else of its group lingers.
    killGroup(child, "SIGKILL");
    live.delete(child);
  });
}

export interface DevServerOptions {
  port: number;
  inspectorPort: number;
  persistTo: string;
  envFile: string;
  vars: Record<string, string>;
}

/** `wrangler dev` on 127.0.0.1 with its own persistence directory; stop() kills its process group. */
export class DevServer {
  private child: ChildProcess | null = null;
  log = "";

  constructor(readonly options: DevServerOptions) {}

  get url() {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    const o = this.options;
    const args = [
      "dev",
      "--port", String(o.port),
      "--ip", "127.0.0.1",
      "--inspector-port", String(o.inspectorPort),
      "--persist-to", o.persistTo,
      "--env-file", o.envFile,
      "--show-interactive-dev-session=false",
      ...Object.entries(o.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ];
    const child = spawn(WRANGLER, args, { cwd: root, env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    this.child = child;
    const keep = (d: Buffer) => {
      this.log = (this.log + d.toString()).slice(-20_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited early (${child.exitCode}):\n${this.log.slice(-3000)}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    await this.stop();
    throw new Error(`wrangler dev did not come up within ${timeoutMs} ms:\n${this.log.slice(-3000)}`);
  }

  /** Kills the whole process group (TERM, then KILL) and waits for it to go. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // workerd can outlive the wrangler parent for a moment.
    killGroup(child, "SIGKILL");
  }
}
