import type { Db } from "../../db/client";
import type { Integration } from "../types";

/** An organization's own `http_json` integrations, defined by configuration. */
export async function customIntegrationsFor(_db: Db, _orgId: string): Promise<Integration[]> {
  return [];
}
