import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../../platform/http/context";
import { type EnrichRequest, enrichEntity, maxChargeOf, planRun } from "./enrich-entity";
import { publicResult } from "./result";
import { ApiError } from "../../platform/errors";
import { publish } from "../../platform/events";
import { creditSummary } from "../billing";
import type { EntityRow } from "../entities";
import { DEFAULT_HEARTBEAT_SECONDS, SSE_PING } from "../../platform/http/sse";

/**
 * What would refuse the enrichment, checked before the stream starts so it stays an HTTP error (400, 402) rather
 * than an `error` event. The run itself reserves again; losing that race becomes an `error` event.
 */
export async function preflightEnrichment(c: Context<AppEnv>, request: EnrichRequest): Promise<void> {
  const { orgId } = c.get("caller");
  const plan = await planRun(c.get("db"), orgId, request);
  const balance = await creditSummary(c.get("db"), orgId);
  const needed = maxChargeOf(plan);
  if (balance.billingMode === "prepaid" && needed > balance.availableCredits) {
    throw new ApiError("INSUFFICIENT_CREDITS", `This needs up to ${needed} credits; ${balance.availableCredits} are available`, {
      details: { required: needed, available: balance.availableCredits },
    });
  }
}

/**
 * One entity's enrichment as Server-Sent Events, in the job stream's vocabulary: entity_started, one
 * enrichment_completed per integration as it finishes, entity_completed with the synchronous answer, then
 * `completed`; a failure is an `error` event before `completed`.
 */
export function streamEnrichment(c: Context<AppEnv>, entity: EntityRow, request: EnrichRequest) {
  return streamSSE(c, async (stream) => {
    let id = 0;
    const send = (event: string, data: unknown) => stream.writeSSE({ id: String(++id), event, data: JSON.stringify(data) });
    const heartbeat = setInterval(() => {
      stream.write(SSE_PING).catch(() => {});
    }, DEFAULT_HEARTBEAT_SECONDS * 1000);
    const ref = { entity_index: 0, entityId: entity.id };
    try {
      await send("entity_started", ref);
      const { answer, events } = await enrichEntity(
        {
          env: c.env,
          settings: c.get("settings"),
          db: c.get("db"),
          caller: c.get("caller"),
          onResult: (result) => send("enrichment_completed", { ...ref, result: publicResult(result) }),
        },
        entity,
        request,
      );
      c.executionCtx.waitUntil(publish(c.env, events));
      const status = answer.results.some((r) => r.success) ? "succeeded" : "failed";
      await send("entity_completed", { ...ref, status, ...answer });
      await send("completed", { status: "completed" });
    } catch (error) {
      const body =
        error instanceof ApiError
          ? { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) }
          : { code: "INTERNAL_ERROR", message: "Unexpected error; the request id is in the logs", requestId: c.get("requestId") };
      if (!(error instanceof ApiError)) console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), message: String(error) }));
      await send("error", body);
      await send("completed", { status: "failed" });
    } finally {
      clearInterval(heartbeat);
    }
  });
}
