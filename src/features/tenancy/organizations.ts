import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import type { BatchItem } from "drizzle-orm/batch";
import { organizations } from "../../db/schema/tenancy";
import { notFound } from "../../platform/errors";
import { type Cursor, afterCursor, pageOf } from "../../platform/http/pagination";
import { nowIso } from "../../platform/lib/time";
import { mintApiKey, presentKey } from "./api-keys";
import { auditStatement } from "./audit";
import type { BillingMode } from "../../domain/vocabulary";

export interface NewOrganization {
  name: string;
  billingMode: BillingMode;
  initialCredits?: number;
}

export function presentOrganization(row: typeof organizations.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    billingMode: row.billingMode,
    creditBalance: row.creditBalance,
    createdAt: row.createdAt,
  };
}

/**
 * Creates the organization (its balance at zero), its first admin key and the audit entry in one batch, together
 * with `opening`: what the caller adds to the same batch for the new organization (billing's opening grant, the
 * only writer of balances and the ledger).
 */
export async function createOrganization(db: Db, input: NewOrganization, opening: (orgId: string) => BatchItem<"sqlite">[] = () => []) {
  const createdAt = nowIso();
  const credits = input.initialCredits ?? 0;
  const org = {
    id: crypto.randomUUID(),
    name: input.name,
    billingMode: input.billingMode,
    creditBalance: 0,
    reservedCredits: 0,
    createdAt,
  };
  const minted = await mintApiKey(db, { orgId: org.id, name: "Initial admin key", role: "admin", actorKeyId: null });
  await db.batch([
    db.insert(organizations).values(org),
    ...minted.statements,
    ...opening(org.id),
    auditStatement(db, {
      orgId: org.id,
      actorKeyId: null,
      action: "organization.created",
      targetType: "organization",
      targetId: org.id,
      data: { name: org.name, billingMode: org.billingMode, initialCredits: credits },
    }),
  ]);
  return {
    organization: presentOrganization(org),
    apiKey: { ...presentKey(minted.row), key: minted.key },
  };
}

export async function listOrganizations(db: Db, limit: number, cursor?: Cursor) {
  const rows = await db
    .select()
    .from(organizations)
    .where(afterCursor(organizations.createdAt, organizations.id, cursor))
    .orderBy(desc(organizations.createdAt), desc(organizations.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ k: r.createdAt, id: r.id }));
  return { data: page.data.map(presentOrganization), nextCursor: page.nextCursor };
}

export async function getOrganization(db: Db, id: string) {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, id)).limit(1);
  if (!row) throw notFound("Organization");
  return row;
}

export const organizationCount = (db: Db) =>
  db.select({ n: sql<number>`count(*)` }).from(organizations).then((r) => r[0]?.n ?? 0);
