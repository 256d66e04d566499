import { setTimeout as sleep } from "node:timers/promises";
import { SseReader } from "../jobs/sse-reader";

export interface Answer {
  status: number;
  json: any;
  text: string;
}

/** A small HTTP client for the dev server. */
export class Client {
  constructor(readonly baseUrl: () => string) {}

  async call(method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers["content-type"] ??= "application/json";
    const res = await fetch(`${this.baseUrl()}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  async expect(status: number, method: string, path: string, opts: Parameters<Client["call"]>[2] = {}) {
    const res = await this.call(method, path, opts);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
    return res.json;
  }

  async events(key: string, jobId: string, lastEventId?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (lastEventId) headers["last-event-id"] = lastEventId;
    return new SseReader(await fetch(`${this.baseUrl()}/v1/jobs/${jobId}/events`, { headers }));
  }

  /** Polls the job (each visit also re-arms its alarm) until `done` holds; tolerates a server that is restarting. */
  async waitForJob(key: string, jobId: string, done: (job: any) => boolean, timeoutMs: number) {
    const until = Date.now() + timeoutMs;
    let last: any;
    while (Date.now() < until) {
      try {
        const res = await this.call("GET", `/v1/jobs/${jobId}`, { key });
        if (res.status === 200) {
          last = res.json;
          if (done(last)) return last;
        }
      } catch {
        // The server is restarting.
      }
      await sleep(250);
    }
    throw new Error(`job ${jobId} not done within ${timeoutMs} ms: ${JSON.stringify(last)}`);
  }

  async allResults(key: string, jobId: string) {
    const rows: any[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.expect(200, "GET", `/v1/jobs/${jobId}/results?limit=200${cursor ? `&cursor=${cursor}` : ""}`, { key });
      rows.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  }

  /** Credits the ledger charged for one job. */
  async charged(key: string, jobId: string) {
    let total = 0;
    let cursor: string | null = null;
    do {
      const page = await this.expect(200, "GET", `/v1/credits/transactions?limit=200${cursor ? `&cursor=${cursor}` : ""}`, { key });
      for (const tx of page.data) if (tx.type === "charge" && tx.jobId === jobId) total -= tx.amount;
      cursor = page.nextCursor;
    } while (cursor);
    return total;
  }
}
