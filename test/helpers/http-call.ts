/** How a test call becomes a request and its answer a result; shared by the workers helpers and the node suites. */
export interface CallOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is; bytes go without a Content-Type unless `headers` names one. */
  rawBody?: string | Uint8Array;
}

export interface CallResult {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

/** The request's method, headers (the key as a Bearer token) and body (`body` as JSON, or `rawBody`). */
export function requestInit(method: string, options: CallOptions): RequestInit {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  return { method, headers, body };
}

/** Reads the whole answer: its text, and its JSON when it is JSON. */
export async function resultOf(res: Response): Promise<CallResult> {
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
