import { type SQL, and, eq } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { decodeRow } from "../../platform/db/decode-row";
import { customIntegrations } from "../../db/schema/catalog";
import { integrationSettings } from "../../db/schema/catalog";
import { entities } from "../../db/schema/entities";
import { organizations } from "../../db/schema/tenancy";
import { prepared, runStatements } from "../../platform/db/statements";
import { notFound } from "../../platform/errors";
import { httpJsonIntegration } from "../../providers/custom/http-json";
import { customIntegrationRows } from "../../providers/custom/load";
import { catalogWith } from "../catalog";
import type { Integration } from "../../providers/types";
import type { EntityRow } from "../entities";
import type { BillingMode } from "../billing";
import { type IntegrationSettingsRow, isEnabled, settingsMapOf, settingsRows } from "../catalog";
import { type WebhookTarget, webhookTargetOf, webhookTargetsQuery } from "../webhooks";
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

type CustomIntegrationRow = typeof customIntegrations.$inferSelect;

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


export interface LoadedRun {
  entity: EntityRow;
  plan: PlannedRun;
  billingMode: BillingMode;
  /** The organization's enabled webhooks, for publishing this run's events without reading them again. */
  webhooks: WebhookTarget[];
}

/** The rows `runReads` answers, decoded; the entity and organization are absent when not found. */
export interface RunRows {
  entity: EntityRow | undefined;
  custom: CustomIntegrationRow[];
  settings: IntegrationSettingsRow[];
  billingMode: BillingMode | undefined;
  webhooks: WebhookTarget[];
}

/**
 * Everything a synchronous enrichment reads before it runs (the entity, the custom catalog, the settings and
 * the organization's billing mode) as statements for ONE D1 batch: each round trip is paid by every request.
 * `org` is the caller's organization id, or a subquery naming it when the reads ride along with authentication
 * (`authorize(…, prefetch)`), which saves one more round trip.
 */
export function runReads(db: Db, org: string | SQL, ref: EntityRef): D1PreparedStatement[] {
  const byRef = "id" in ref ? eq(entities.id, ref.id) : eq(entities.externalId, ref.externalId);
  return [
    prepared(db, db.select().from(entities).where(and(eq(entities.orgId, org), byRef)).limit(1)),
    prepared(db, db.select().from(customIntegrations).where(eq(customIntegrations.orgId, org))),
    prepared(db, db.select().from(integrationSettings).where(eq(integrationSettings.orgId, org))),
    prepared(db, db.select().from(organizations).where(eq(organizations.id, org)).limit(1)),
    // Read now, published with after the response: saves the webhook read of every enrichment's events.
    prepared(db, webhookTargetsQuery(db, org)),
  ];
}

const rowsOf = (result: D1Result | undefined) => (result?.results ?? []) as Record<string, unknown>[];

export function decodeRunReads([entity, custom, settings, org, hooks]: D1Result[]): RunRows {
  const entityRow = rowsOf(entity)[0];
  const orgRow = rowsOf(org)[0];
  return {
    entity: entityRow ? decodeRow(entities, entityRow) : undefined,
    custom: rowsOf(custom).map((r) => decodeRow(customIntegrations, r)),
    settings: rowsOf(settings).map((r) => decodeRow(integrationSettings, r)),
    billingMode: orgRow ? decodeRow(organizations, orgRow).billingMode : undefined,
    webhooks: rowsOf(hooks).map(webhookTargetOf),
  };
}

/** The run from its rows. A missing entity is a 404 before the plan is validated, as when they were read one by one. */
export async function planLoaded(db: Db, orgId: string, rows: RunRows, request: PlanRequest): Promise<LoadedRun> {
  if (!rows.entity) throw notFound("Entity");
  if (!rows.billingMode) throw notFound("Organization");
  return {
    entity: rows.entity,
    plan: await planFrom(db, orgId, request, rows.custom, rows.settings),
    billingMode: rows.billingMode,
    webhooks: rows.webhooks,
  };
}

/** `runReads` in one round trip, then the plan. */
export async function loadRun(db: Db, orgId: string, ref: EntityRef, request: PlanRequest): Promise<LoadedRun> {
  return planLoaded(db, orgId, decodeRunReads(await runStatements(db, runReads(db, orgId, ref))), request);
}
