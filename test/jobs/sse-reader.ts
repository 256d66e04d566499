/** An SSE client that reads a response body frame by frame; no runtime-specific imports, so the e2e suite shares it. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: any;
  comment?: string;
}

/** Reads an SSE body frame by frame. */
export class SseReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  ended = false;

  constructor(readonly response: Response) {
    if (!response.body) throw new Error("no body");
    this.reader = response.body.getReader();
  }

  /** The next frame, or null once the server closed the stream. */
  async next(): Promise<SseFrame | null> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const raw = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseFrame(raw);
      }
      const { done, value } = await this.reader.read();
      if (done) {
        this.ended = true;
        return null;
      }
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Events (not comments or retry hints) until `stop` says so or the stream ends. */
  async events(stop: (frame: SseFrame) => boolean = (f) => f.event === "completed"): Promise<SseFrame[]> {
    const out: SseFrame[] = [];
    for (;;) {
      const frame = await this.next();
      if (!frame) return out;
      if (!frame.event) continue;
      out.push(frame);
      if (stop(frame)) return out;
    }
  }

  async close() {
    await this.reader.cancel().catch(() => {});
  }
}

function parseFrame(raw: string): SseFrame {
  const frame: SseFrame = {};
  const data: string[] = [];
  for (const line of raw.split("\n")) {
    if (line.startsWith(":")) frame.comment = line.slice(1).trim();
    else if (line.startsWith("id: ")) frame.id = line.slice(4);
    else if (line.startsWith("event: ")) frame.event = line.slice(7);
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  if (data.length > 0) frame.data = JSON.parse(data.join("\n"));
  return frame;
}
