import { performance } from "node:perf_hooks";
import { responses } from "./client.mjs";

const debug = process.env.BENCH_DEBUG ? (m) => process.stderr.write(`[sse] ${m}\n`) : () => {};

/** Splits a text/event-stream into events; `: comment` lines (heartbeats) are counted, not emitted. */
export function createSseParser(onEvent, onComment = () => {}) {
  let buffer = "";
  let event = { id: undefined, event: "message", data: [] };
  const line = (raw) => {
    if (raw === "") {
      if (event.data.length > 0 || event.id !== undefined) onEvent({ id: event.id, event: event.event, data: event.data.join("\n") });
      event = { id: undefined, event: "message", data: [] };
      return;
    }
    if (raw.startsWith(":")) return onComment(raw.slice(1));
    const colon = raw.indexOf(":");
    const field = colon < 0 ? raw : raw.slice(0, colon);
    let value = colon < 0 ? "" : raw.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "id") event.id = value;
    else if (field === "event") event.event = value;
    else if (field === "data") event.data.push(value);
  };
  return (chunk) => {
    buffer += chunk;
    for (let nl = buffer.search(/\r\n|\n|\r/); nl >= 0; nl = buffer.search(/\r\n|\n|\r/)) {
      const eol = buffer[nl] === "\r" && buffer[nl + 1] === "\n" ? 2 : 1;
      line(buffer.slice(0, nl));
      buffer = buffer.slice(nl + eol);
    }
  };
}

/**
 * Watches a job's events until the terminal `completed` event (or `deadline`, epoch ms). Reconnects with
 * Last-Event-ID when the stream drops early (at most `maxReconnects` times). Every event gets `receivedAt`
 * (performance.now(), the clock the fake provider stamps its answers with).
 */
export async function watchEvents(url, token, { deadline, onEvent = () => {}, maxReconnects = 20 }) {
  const events = [];
  let lastId;
  let reconnects = 0;
  let heartbeats = 0;
  let completed = false;
  let duplicateIds = 0;
  const seen = new Set();
  while (!completed && Date.now() < deadline) {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      debug(`deadline reached; aborting (events ${events.length})`);
      controller.abort();
    }, Math.max(1, deadline - Date.now()));
    try {
      const headers = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
      if (lastId !== undefined) headers["last-event-id"] = lastId;
      debug(`connect ${url} after ${lastId ?? "-"}`);
      const res = await fetch(url, { headers, signal: controller.signal });
      debug(`status ${res.status}`);
      responses.record(res.status, "GET", new URL(url).pathname, res.ok ? "" : await res.text());
      if (!res.ok) throw new Error(`SSE ${url} → ${res.status}`);
      const decoder = new TextDecoder();
      const parse = createSseParser(
        (e) => {
          const receivedAt = performance.now();
          if (e.id !== undefined) {
            if (seen.has(e.id)) duplicateIds++;
            seen.add(e.id);
            lastId = e.id;
          }
          let data = e.data;
          try {
            data = JSON.parse(e.data);
          } catch {}
          const event = { id: e.id, type: e.event, data, receivedAt };
          events.push(event);
          onEvent(event);
          if (e.event === "completed") {
            completed = true;
            controller.abort();
          }
        },
        () => heartbeats++,
      );
      // Read with an explicit race against the abort: a body whose connection has gone quiet does not always
      // reject its pending read when the fetch is aborted.
      const reader = res.body.getReader();
      const aborted = new Promise((resolve) => {
        if (controller.signal.aborted) resolve({ aborted: true });
        controller.signal.addEventListener("abort", () => resolve({ aborted: true }), { once: true });
      });
      try {
        for (;;) {
          const next = await Promise.race([reader.read(), aborted]);
          if (next.aborted || next.done) break;
          parse(decoder.decode(next.value, { stream: true }));
        }
      } finally {
        reader.cancel().catch(() => {});
      }
      debug(`stream closed (events ${events.length}, completed ${completed})`);
    } catch (error) {
      debug(`stream ended: ${error} (events ${events.length}, completed ${completed})`);
      if (!completed && error?.name !== "AbortError" && !/abort/i.test(String(error))) {
        if (reconnects >= maxReconnects) throw error;
      }
    } finally {
      clearTimeout(timer);
    }
    if (!completed && Date.now() < deadline) {
      if (++reconnects > maxReconnects) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { events, completed, reconnects, heartbeats, duplicateIds };
}
