/** Server-Sent Events framing shared by the job stream (written by hand in the job's object) and hono's streamSSE. */
export interface SseMessage {
  id?: string | number;
  event: string;
  data: unknown;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  // Stops proxies such as nginx from buffering the stream.
  "x-accel-buffering": "no",
} as const;

/** A comment line: clients ignore it, proxies and load balancers see traffic on an idle connection. */
export const SSE_PING = ": ping\n\n";

export const DEFAULT_HEARTBEAT_SECONDS = 15;

export function sseFrame(message: SseMessage): string {
  const data = JSON.stringify(message.data) ?? "null";
  const id = message.id === undefined ? "" : `id: ${message.id}\n`;
  // JSON.stringify never emits raw newlines, so the data is always one `data:` line.
  return `${id}event: ${message.event}\ndata: ${data}\n\n`;
}

/** The id a reconnecting client last saw: the Last-Event-ID header, or `?lastEventId=` for clients that cannot set headers. */
export function lastEventIdOf(header: string | undefined | null, query: string | undefined | null): number {
  const raw = header ?? query ?? "";
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
