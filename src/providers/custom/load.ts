import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { customIntegrations } from "../../db/schema/custom-integrations";
import type { Integration } from "../types";
import { httpJsonIntegration } from "./http-json";

/** An organization's own `http_json` integrations, defined by configuration. */
export async function customIntegrationsFor(db: Db, orgId: string): Promise<Integration[]> {
  const rows = await db.select().from(customIntegrations).where(eq(customIntegrations.orgId, orgId));
  return rows.map(httpJsonIntegration);
}
