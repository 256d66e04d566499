import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { entities, organizations } from "../db/schema/tenancy";
import { notFound } from "../errors";
import { httpJsonIntegration } from "../providers/custom/http-json";
import { customIntegrationRows } from "../providers/custom/load";
import { catalogWith } from "../providers/registry";
import type { Integration } from "../providers/types";
import type { EntityRow } from "../services/entities";
import { type IntegrationSettingsRow, isEnabled, settingsMapOf, settingsRows } from "../services/integration-settings";
import { expandIntegrationCodes } from "./expand";
import { maxCredits } from "./run-integration";

export interface PlannedRun {
  integrations: Integration[];
  settingsRows: Map<string, IntegrationSettingsRow>;
}

interface PlanRequest {
  integrationCodes?: string[];
  enrichmentGroupRefs?: string[];
}

type CustomIntegrationRow = Awaited<ReturnType<typeof customIntegrationRows>>[number];

async function planFrom(
  db: Db,
  orgId: string,
  request: PlanRequest,
  custom: CustomIntegrationRow[],
  settings: IntegrationSettingsRow[],
): Promise<PlannedRun> {
  const integrations = await expandIntegrationCodes(db, orgId, catalogWith(custom.map(httpJsonIntegration)), request);
  return { integrations, settingsRows: settingsMapOf(settings) };
}

/** Expansion, validation and the settings each integration runs with; shared by single and batch enrichment. */
export async function planRun(db: Db, orgId: string, request: PlanRequest): Promise<PlannedRun> {
  const [custom, settings] = await db.batch([customIntegrationRows(db, orgId), settingsRows(db, orgId)]);
  return planFrom(db, orgId, request, custom, settings);
}

/** Credits a run could charge at most: disabled integrations never charge. */
export const maxChargeOf = (plan: PlannedRun) =>
  maxCredits(plan.integrations.filter((i) => isEnabled(i, plan.settingsRows.get(i.code))));

export type EntityRef = { id: string } | { externalId: string };

export type BillingMode = (typeof organizations.$inferSelect)["billingMode"];

export interface LoadedRun {
  entity: EntityRow;
  plan: PlannedRun;
  billingMode: BillingMode;
}

/**
 * Everything a synchronous enrichment reads before it runs (the entity, the custom catalog, the settings and
 * the organization's billing mode) in ONE D1 round trip: each round trip is paid by every request.
 * A missing entity is a 404 before the plan is validated, as when they were read one by one.
 */
export async function loadRun(db: Db, orgId: string, ref: EntityRef, request: PlanRequest): Promise<LoadedRun> {
  const byRef = "id" in ref ? eq(entities.id, ref.id) : eq(entities.externalId, ref.externalId);
  const [entityRows, custom, settings, orgRows] = await db.batch([
    db.select().from(entities).where(and(eq(entities.orgId, orgId), byRef)).limit(1),
    customIntegrationRows(db, orgId),
    settingsRows(db, orgId),
    db.select({ billingMode: organizations.billingMode }).from(organizations).where(eq(organizations.id, orgId)).limit(1),
  ]);
  const entity = entityRows[0];
  if (!entity) throw notFound("Entity");
  const org = orgRows[0];
  if (!org) throw notFound("Organization");
  return { entity, plan: await planFrom(db, orgId, request, custom, settings), billingMode: org.billingMode };
}
