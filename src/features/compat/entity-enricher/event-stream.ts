import { snakeKeys } from "./snake-case";

/** Fields whose keys are the organization's or a model's own (an answer, a schema edit), never renamed. */
const VERBATIM = new Set(["result", "output", "operations", "issues", "valuesByModel"]);

/** The structured outputs of records, by id (the organization's only). */
export type OutputLookup = (recordIds: string[]) => Promise<Map<string, unknown>>;

interface Frame {
  id: string | null;
  data: Record<string, unknown> | null;
  /** A comment or `retry:` line, passed on as it is. */
  raw: string;
}

function parseFrame(text: string): Frame {
  let id: string | null = null;
  let data: Record<string, unknown> | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("id: ")) id = line.slice(4);
    else if (line.startsWith("data: ")) data = JSON.parse(line.slice(6)) as Record<string, unknown>;
  }
  return { id, data, raw: text };
}

const WITH_RESULT = new Set(["model_completed", "fusion_completed"]);

/**
 * One Dossier event as Entity Enricher sends it: snake_case fields, the name in both `type` and `event`, the job's id,
 * `cost` (USD) beside `cost_usd`, and on model_completed / fusion_completed the record's structured output as `result`.
 */
function translate(data: Record<string, unknown>, jobId: string, outputs: Map<string, unknown>, state: { errorSent: boolean }): Record<string, unknown>[] {
  const type = String(data.type);
  const fields = snakeKeys(data, VERBATIM) as Record<string, unknown>;
  const event: Record<string, unknown> = { ...fields, type, event: type, job_id: jobId };
  if (typeof fields.cost_usd === "number") event.cost = fields.cost_usd;
  if (WITH_RESULT.has(type)) event.result = typeof fields.record_id === "string" ? (outputs.get(fields.record_id) ?? null) : null;
  if (type === "error") state.errorSent = true;
  // Entity Enricher sends an `error` event before `completed` when a job fails (once: a task may have sent one).
  if (type === "job_failed" && !state.errorSent) return [event, { type: "error", event: "error", job_id: jobId, message: "Every entity of the job failed", counts: fields.counts ?? null }];
  return [event];
}

async function translateFrames(texts: string[], jobId: string, lookup: OutputLookup, state: { errorSent: boolean }): Promise<string> {
  const frames = texts.filter((t) => t.trim() !== "").map(parseFrame);
  const recordIds = frames.flatMap((f) => (f.data && WITH_RESULT.has(String(f.data.type)) && typeof f.data.recordId === "string" ? [f.data.recordId] : []));
  const outputs = recordIds.length > 0 ? await lookup(recordIds) : new Map<string, unknown>();
  return frames
    .map((f) => {
      if (!f.data) return `${f.raw}\n\n`;
      const id = f.id === null ? "" : `id: ${f.id}\n`;
      return translate(f.data, jobId, outputs, state)
        .map((event) => `${id}data: ${JSON.stringify(event)}\n\n`)
        .join("");
    })
    .join("");
}

/**
 * A job's event stream (Dossier's `id:`/`event:`/`data:` frames) as Entity Enricher's: `data: {json}` frames, the id
 * kept so Last-Event-ID still resumes; comments (`: ping`) and `retry:` pass through.
 */
export function enricherEventStream(source: Response, jobId: string, lookup: OutputLookup): Response {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = "";
  const state = { errorSent: false };
  const translator = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      buffer += decoder.decode(chunk, { stream: true });
      const end = buffer.lastIndexOf("\n\n");
      if (end < 0) return;
      const complete = buffer.slice(0, end).split("\n\n");
      buffer = buffer.slice(end + 2);
      controller.enqueue(encoder.encode(await translateFrames(complete, jobId, lookup, state)));
    },
    async flush(controller) {
      buffer += decoder.decode();
      if (buffer.trim() !== "") controller.enqueue(encoder.encode(await translateFrames([buffer], jobId, lookup, state)));
    },
  });
  return new Response(source.body?.pipeThrough(translator) ?? null, { status: source.status, headers: source.headers });
}
