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

/**
 * Samples the resident memory of the dev server's process group every `intervalMs`: workerd plus the
 * wrangler node processes ("server"), workerd alone, and the whole group (esbuild's service included).
 * `window()` opens a measurement that keeps the peaks seen until it is closed.
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
      const w = { startServerMb: last.serverMb, peakServerMb: last.serverMb, peakWorkerdMb: last.workerdMb, peakGroupMb: last.groupMb, samples: 0 };
      open.add(w);
      return {
        async close() {
          await sample();
          open.delete(w);
          return {
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
