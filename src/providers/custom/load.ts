import { eq } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { customIntegrations } from "../../db/schema/catalog";
import type { Integration } from "../types";
import { httpJsonIntegration } from "./http-json";

/** The read behind `customIntegrationsFor`, as a builder that can share a D1 batch with other reads. */
export const customIntegrationRows = (db: Db, orgId: string) => db.select().from(customIntegrations).where(eq(customIntegrations.orgId, orgId));

/** An organization's own `http_json` integrations, defined by configuration. */
export async function customIntegrationsFor(db: Db, orgId: string): Promise<Integration[]> {
  return (await customIntegrationRows(db, orgId)).map(httpJsonIntegration);
}
