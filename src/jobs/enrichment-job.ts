import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** One instance per batch job: its state, fan-out and SSE live here. */
export class EnrichmentJob extends DurableObject<Env> {}
