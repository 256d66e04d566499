import { anthropicMessages } from "./anthropic-messages";
import { chatCompletions } from "./chat-completions";
import { gemini } from "./gemini";
import { LlmCallError, llmErrorFromFailure, outputInvalid, refused, truncated } from "./llm-errors";
import { conformOutput, parseModelJson, repairTurns, validateOutput } from "./output-validation";
import { postJson } from "./post-json";
import type { ChatTurn, LlmAttempt, LlmClientConfig, LlmProvider, LlmRequest, LlmResult, LlmUsage, StructuredChannel } from "./types";
import type { WireFormat } from "./wire";

const WIRES: Record<LlmProvider, WireFormat> = {
  openai: chatCompletions,
  deepseek: chatCompletions,
  "workers-ai": chatCompletions,
  openai_compatible: chatCompletions,
  anthropic: anthropicMessages,
  google: gemini,
};

/** When the model catalog says nothing: the channel every model of that provider supports. */
export const DEFAULT_CHANNEL: Record<LlmProvider, StructuredChannel> = {
  openai: "json_schema_strict",
  anthropic: "tool",
  google: "json_schema",
  deepseek: "json_mode",
  "workers-ai": "json_mode",
  openai_compatible: "json_mode",
};

const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export const ZERO_USAGE: LlmUsage = { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    ...(a.estimated || b.estimated ? { estimated: true } : {}),
  };
}

/**
 * One structured model call: asks the provider for JSON in the user's schema (converted to its dialect), reads the
 * answer, brings it back to the user's schema and validates it. Invalid output gets exactly one repair attempt
 * with the validation errors; a second failure is LLM_OUTPUT_INVALID. Refusals (LLM_REFUSED) and truncation
 * (LLM_TRUNCATED) are never retried here; HTTP failures are typed (llm-errors.ts) and retried by the caller,
 * who also owns the deadline (`config.signal`, e.g. AbortSignal.timeout). Usage sums every attempt.
 */
export async function callModel(config: LlmClientConfig, req: LlmRequest): Promise<LlmResult> {
  if (!SCHEMA_NAME.test(req.schemaName)) throw new Error("schemaName must match [a-zA-Z0-9_-]{1,64}");
  const wire = WIRES[config.provider];
  const channel = config.channel ?? DEFAULT_CHANNEL[config.provider];
  const secrets = [config.apiKey ?? ""].filter((s) => s.length >= 4);
  const attempts: LlmAttempt[] = [];
  let usage = ZERO_USAGE;
  let turns: ChatTurn[] = [];
  for (;;) {
    const sent = wire.request(config, req, channel, turns);
    const fail = (error: LlmCallError) => error.withAttempts(attempts, usage);
    const answer = await postJson(config.provider, config.fetch, sent.url, sent.headers, sent.body, config.signal, secrets).catch((e: unknown) => {
      throw e instanceof LlmCallError ? fail(e) : e;
    });
    if (answer.status < 200 || answer.status >= 300) {
      attempts.push({ requestBody: sent.body, rawResponse: answer.body ?? answer.text, usage: ZERO_USAGE, validationErrors: [] });
      throw fail(llmErrorFromFailure(config.provider, wire.failure(answer)));
    }
    if (answer.body === undefined) {
      attempts.push({ requestBody: sent.body, rawResponse: answer.text, usage: ZERO_USAGE, validationErrors: [] });
      throw fail(new LlmCallError("SYSTEM", `${config.provider} answered ${answer.status} with a body that is not JSON`, "provider_failure", { retryable: true }));
    }
    const reading = wire.read(answer.body, req);
    usage = addUsage(usage, reading.usage);
    const attempt: LlmAttempt = { requestBody: sent.body, rawResponse: answer.body, usage: reading.usage, validationErrors: [] };
    attempts.push(attempt);
    if (reading.finishReason === "refusal" || reading.finishReason === "filtered") {
      throw fail(refused(`${config.provider} declined to answer: ${(reading.refusal ?? "").slice(0, 300)}`));
    }
    if (reading.finishReason === "length") throw fail(truncated(req.maxOutputTokens));
    const parsed = reading.object ?? parseModelJson(reading.text);
    const output = parsed && conformOutput(parsed, req.jsonSchema);
    attempt.validationErrors = output ? validateOutput(output, req.jsonSchema) : [{ instancePath: "", message: "The answer is not a JSON object" }];
    if (output && attempt.validationErrors.length === 0) {
      return { json: output, text: reading.text, usage, finishReason: reading.finishReason, model: reading.model, channel, requestBody: sent.body, rawResponse: answer.body, attempts };
    }
    if (turns.length > 0) throw fail(outputInvalid("The model's output does not conform to the schema, also after one repair attempt", attempt.validationErrors));
    turns = repairTurns(reading.text, attempt.validationErrors);
  }
}
