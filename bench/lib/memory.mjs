import { readFile } from "node:fs/promises";
import { groupMembers } from "./processes.mjs";

const MB = 1024;

async function processRss(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => null);
  if (!status) return null;
  const name = status.match(/^Name:\s*(.+)$/m)?.[1] ?? "";
  const kb = Number(status.match(/^VmRSS:\s*(\d+)\s*kB$/m)?.[1] ?? 0);
  return { name, kb };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system) a process has used so far, by command name. */
async function processCpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!stat) return null;
  const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { name, ms: (Number(rest[11]) + Number(rest[12])) * TICK_MS };
}

/** Busy CPU time of the whole machine (every core, every process) so far. */
async function machineBusyMs() {
  const line = (await readFile("/proc/stat", "utf8").catch(() => "")).split("\n")[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce((a, b) => a + (b || 0), 0) * TICK_MS;
}

/**
 * Where CPU time goes during a window: workerd (the Worker, its objects, and the local D1, KV and queue
 * simulators), wrangler's node processes, this bench process (client, fake provider, webhook receiver), and the
 * machine as a whole (which also shows other work on it). Only processes alive at both ends are counted.
 */
async function cpuReading(pgid) {
  const byPid = new Map();
  for (const pid of await groupMembers(pgid)) {
    const p = await processCpuMs(pid);
    if (p) byPid.set(pid, p);
  }
  const own = process.cpuUsage();
  return { byPid, benchMs: (own.user + own.system) / 1000, machineMs: await machineBusyMs() };
}

function cpuSpent(start, end) {
  let workerdMs = 0;
  let wranglerMs = 0;
  for (const [pid, p] of end.byPid) {
    const before = start.byPid.get(pid);
    if (!before) continue;
    const spent = p.ms - before.ms;
    if (p.name === "workerd") workerdMs += spent;
    else if (p.name.startsWith("node") || p.name.startsWith("MainThread")) wranglerMs += spent;
  }
  return {
    workerdMs: Math.round(workerdMs),
    wranglerNodeMs: Math.round(wranglerMs),
    benchMs: Math.round(end.benchMs - start.benchMs),
    machineMs: Math.round(end.machineMs - start.machineMs),
  };
}

/**
 * Samples the resident memory of the dev server's process group every `intervalMs`: workerd plus the
 * wrangler node processes ("server"), workerd alone, and the whole group (esbuild's service included).
 * `window()` opens a measurement that keeps the peaks seen until it is closed, and the CPU time spent meanwhile.
 */
export function startRssSampler(pgid, intervalMs = 200) {
  const open = new Set();
  let last = { serverMb: 0, workerdMb: 0, groupMb: 0 };
  let stopped = false;
  let inFlight = null;

  /** One reading at a time; a caller arriving mid-reading waits for that reading instead of skipping it. */
  function sample() {
    if (stopped) return Promise.resolve();
    inFlight ??= read().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  async function read() {
    let server = 0;
    let workerd = 0;
    let group = 0;
    for (const pid of await groupMembers(pgid)) {
      const p = await processRss(pid);
      if (!p) continue;
      group += p.kb;
      if (p.name === "workerd") workerd += p.kb;
      if (p.name === "workerd" || p.name.startsWith("node") || p.name.startsWith("MainThread")) server += p.kb;
    }
    last = { serverMb: server / MB, workerdMb: workerd / MB, groupMb: group / MB };
    for (const w of open) {
      w.peakServerMb = Math.max(w.peakServerMb, last.serverMb);
      w.peakWorkerdMb = Math.max(w.peakWorkerdMb, last.workerdMb);
      w.peakGroupMb = Math.max(w.peakGroupMb, last.groupMb);
      w.samples++;
    }
  }

  const timer = setInterval(sample, intervalMs);
  timer.unref();

  return {
    sampleNow: sample,
    current: () => last,
    async window() {
      await sample();
      const cpuAtStart = await cpuReading(pgid);
      const startedAt = performance.now();
      const w = { startServerMb: last.serverMb, peakServerMb: last.serverMb, peakWorkerdMb: last.workerdMb, peakGroupMb: last.groupMb, samples: 0 };
      open.add(w);
      return {
        async close() {
          await sample();
          open.delete(w);
          const cpu = { wallMs: Math.round(performance.now() - startedAt), ...cpuSpent(cpuAtStart, await cpuReading(pgid)) };
          return {
            cpu,
            startRssMb: round1(w.startServerMb),
            peakRssMb: round1(w.peakServerMb),
            endRssMb: round1(last.serverMb),
            peakWorkerdRssMb: round1(w.peakWorkerdMb),
            peakGroupRssMb: round1(w.peakGroupMb),
            rssSamples: w.samples,
          };
        },
      };
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

const round1 = (n) => Math.round(n * 10) / 10;
