import { SSE_HEADERS, SSE_PING, sseFrame } from "../../../platform/http/sse";

export type JobEventType =
  | "job_started"
  | "entity_started"
  | "entity_completed"
  | "entity_skipped"
  | "job_paused"
  | "job_resumed"
  | "job_cancelled"
  | "job_completed"
  | "job_failed"
  | "error"
  | "completed";

type EventRow = { id: number; type: string; data: string };

interface Client {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  heartbeat: ReturnType<typeof setInterval>;
}

const encoder = new TextEncoder();
const REPLAY_PAGE = 1_000;

/**
 * The job's progress as an append-only log with increasing ids (so a reconnecting client gets exactly what it
 * missed), and the SSE connections currently watching it.
 */
export class JobEventLog {
  private readonly clients = new Set<Client>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT NOT NULL)");
  }

  /** `type` is the engine's own event or one of a task kind's (`enrichment_completed`, `model_started`, …). */
  append(type: JobEventType | (string & {}), fields: Record<string, unknown>): number {
    // Each event's data names its type too, for clients that read only `data:` lines.
    const data = { type, ...fields };
    const { id } = this.sql
      .exec<{ id: number }>("INSERT INTO events (type, data) VALUES (?, ?) RETURNING id", type, JSON.stringify(data))
      .one();
    const frame = sseFrame({ id, event: type, data });
    for (const client of this.clients) this.write(client, frame);
    if (type === "completed") for (const client of this.clients) this.close(client);
    return id;
  }

  since(afterId: number, limit: number): { id: number; type: string; data: unknown }[] {
    return this.sql
      .exec<EventRow>("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", afterId, limit)
      .toArray()
      .map((r) => ({ id: r.id, type: r.type, data: JSON.parse(r.data) as unknown }));
  }

  hasEnded(): boolean {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE type = 'completed'").one().n > 0;
  }

  get watchers(): number {
    return this.clients.size;
  }

  /**
   * Replays what came after `afterId`, then streams live events until `completed`. Replay and registration happen
   * in one synchronous step, so no event can fall between them.
   */
  open(afterId: number, heartbeatMs: number): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const client: Client = { writer, heartbeat: setInterval(() => this.write(client, SSE_PING), heartbeatMs) };
    // Tells EventSource clients how soon to reconnect after a dropped connection.
    this.write(client, "retry: 2000\n\n");
    for (let page = this.since(afterId, REPLAY_PAGE); page.length > 0; page = this.since(page[page.length - 1]?.id ?? 0, REPLAY_PAGE)) {
      for (const event of page) this.write(client, sseFrame({ id: event.id, event: event.type, data: event.data }));
    }
    if (this.hasEnded()) this.close(client);
    else this.clients.add(client);
    return new Response(readable, { headers: SSE_HEADERS });
  }

  private write(client: Client, text: string): void {
    // Not awaited: one slow reader must not hold up the job; a gone reader fails the write and is dropped.
    client.writer.write(encoder.encode(text)).catch(() => this.drop(client));
  }

  private close(client: Client): void {
    this.drop(client);
    client.writer.close().catch(() => {});
  }

  private drop(client: Client): void {
    clearInterval(client.heartbeat);
    this.clients.delete(client);
  }
}
