import type { SafeFetch } from "../../platform/lib/outbound-fetch";
import { readCapped } from "../../platform/lib/read-capped";
import { redactSecrets } from "../adapters/provider-call";
import { LlmCallError, llmErrorFromThrown } from "./llm-errors";
import type { LlmProvider } from "./types";

/** Model answers larger than this are refused rather than buffered. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface WireAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  body: unknown;
}

async function readAnswer(res: Response, provider: LlmProvider): Promise<string> {
  const text = await readCapped(res, MAX_ANSWER_BYTES);
  if (text === null) throw new LlmCallError("SYSTEM", `${provider} answer is larger than ${MAX_ANSWER_BYTES} bytes`, "provider_failure");
  return text;
}

export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * POSTs a JSON body to a model provider through the guarded fetch, bounded in size, and gives back the answer
 * whatever its status (each wire module reads its own error bodies). Secrets are redacted from the text, since
 * error bodies sometimes quote the request. Transport failures become typed errors (see llmErrorFromThrown).
 */
export async function postJson(
  provider: LlmProvider,
  fetch: SafeFetch,
  url: URL,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal | undefined,
  secrets: string[],
): Promise<WireAnswer> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify(body),
      signal,
    });
    const raw = await readAnswer(res, provider);
    const text = redactSecrets(raw, Object.fromEntries(secrets.map((s, i) => [String(i), s])));
    return { status: res.status, headers: res.headers, text, body: parseJsonOrUndefined(text) };
  } catch (error) {
    throw llmErrorFromThrown(provider, error, signal);
  }
}
