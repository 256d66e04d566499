import type { Db } from "../../../platform/db/client";
import { recordsByIds } from "../../llm";
import { enricherEventStream } from "./event-stream";

/** A job's Dossier event stream as Entity Enricher's, the model and fusion results read from the organization's records. */
export function enricherJobEvents(db: Db, orgId: string, jobId: string, source: Response): Response {
  return enricherEventStream(source, jobId, async (ids) => new Map((await recordsByIds(db, orgId, ids)).map((r) => [r.id, r.output])));
}

export const streamUrlOf = (jobId: string) => `/api/llm/stream/${jobId}`;
