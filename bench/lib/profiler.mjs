import WebSocket from "ws";

/**
 * CPU profile of the Worker's isolate (its routes, queue consumers and Durable Objects) through the inspector that
 * `wrangler dev` opens: Chrome DevTools protocol over a WebSocket. The `.cpuprofile` it writes opens in Chrome
 * DevTools or speedscope; `hotspots` summarizes it by self time.
 */
export async function startProfiler(inspectorPort, { samplingIntervalUs = 500 } = {}) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(5000) })).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error("the dev server's inspector lists no target");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  // `ws`, not Node's WebSocket: wrangler's inspector proxy answers undici's handshake with an error.
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", (error) => reject(new Error(`cannot connect to the inspector: ${error.message}`)));
  });
  let nextId = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const message = JSON.parse(String(data));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.message} (${message.error.code})`));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
  await send("Profiler.start");
  return {
    async stop() {
      try {
        return (await send("Profiler.stop")).profile;
      } finally {
        ws.close();
      }
    },
  };
}

/** Self time per function (name, file:line), largest first, as shares of the sampled time the isolate was busy. */
export function hotspots(profile, top = 20) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0)));
  const byFunction = new Map();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byNode.get(id)?.callFrame;
    const name = frame?.functionName || "(anonymous)";
    if (name === "(idle)" || name === "(program)") {
      idle += us;
      continue;
    }
    busy += us;
    const where = frame?.url ? `${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}` : "";
    const key = `${name} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    top: rows.map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), share: busy ? Math.round((us / busy) * 1000) / 10 : 0 })),
  };
}
