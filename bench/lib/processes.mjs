import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { createServer } from "node:net";

/** Every process group this run started; killed on any exit path, including crashes and Ctrl-C. */
const groups = new Set();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port the kernel just handed out on 127.0.0.1 (released before use, so a tiny race is possible). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a command in its own process group (detached), so the whole tree it forks (wrangler → node →
 * workerd, esbuild) can be signalled at once. Output goes to `logPath`.
 */
export function startGroup(command, args, { cwd, env, logPath }) {
  const log = createWriteStream(logPath, { flags: "a" });
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  groups.add(child.pid);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { pid: child.pid, child, exited, log };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Pids whose process group is `pgid` (the leader and everything it forked that stayed in the group). */
export async function groupMembers(pgid) {
  const members = [];
  for (const name of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    // The command name sits in parentheses and may contain spaces; fields after it are fixed.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(rest[2]) === pgid) members.push(Number(name));
  }
  return members;
}

/** SIGTERM to the group, then SIGKILL to whatever is still in it after `graceMs`. */
export async function stopGroup(pid, graceMs = 5000) {
  if (!groups.has(pid)) return;
  signalGroup(pid, "SIGTERM");
  const until = Date.now() + graceMs;
  while (Date.now() < until && (await groupMembers(pid)).length > 0) await sleep(100);
  if ((await groupMembers(pid)).length > 0) signalGroup(pid, "SIGKILL");
  for (let i = 0; i < 30 && (await groupMembers(pid)).length > 0; i++) await sleep(100);
  groups.delete(pid);
}

export async function stopAllGroups() {
  await Promise.all([...groups].map((pid) => stopGroup(pid)));
}

/** Runs a command to completion (bounded by `timeoutMs`) and returns its output. */
export function runToEnd(command, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    groups.add(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      groups.delete(child.pid);
      resolve({ code, signal, stdout, stderr, timedOut: signal === "SIGKILL" });
    });
  });
}

let handlersInstalled = false;

/**
 * Last-resort cleanup: synchronous SIGKILL on exit, and an orderly stop (`cleanup`, then every group) on
 * signals and crashes.
 */
export function installCleanupHandlers(cleanup) {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const pid of groups) signalGroup(pid, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, async () => {
      process.stderr.write(`\nbench: ${signal}, stopping the processes it started…\n`);
      await cleanup?.().catch(() => {});
      await stopAllGroups();
      process.exit(130);
    });
  }
  const fatal = async (error) => {
    process.stderr.write(`bench: fatal: ${error?.stack ?? error}\n`);
    await cleanup?.().catch(() => {});
    await stopAllGroups();
    process.exit(2);
  };
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
}
