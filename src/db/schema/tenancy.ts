import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { BILLING_MODES } from "../../domain/vocabulary";

export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  billingMode: text("billing_mode", { enum: BILLING_MODES }).notNull(),
  creditBalance: integer("credit_balance").notNull().default(0),
  /** Credits held by running requests and jobs; spendable = balance - reserved. */
  reservedCredits: integer("reserved_credits").notNull().default(0),
  createdAt: text("created_at").notNull(),
});

/** API key roles, strongest first: the column's values, the Role schema's and the type's. */
export const ROLES = ["admin", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    rateLimitPerMinute: integer("rate_limit_per_minute"),
    createdByKeyId: text("created_by_key_id"),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.keyHash), index("api_keys_org_idx").on(t.orgId, t.createdAt)],
);

export const rateLimitWindows = sqliteTable(
  "rate_limit_windows",
  {
    keyId: text("key_id").notNull(),
    windowStart: integer("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.windowStart] })],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    actorKeyId: text("actor_key_id"),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    at: text("at").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_org_at_idx").on(t.orgId, t.at, t.id),
    index("audit_org_action_idx").on(t.orgId, t.action),
    index("audit_org_target_idx").on(t.orgId, t.targetType, t.targetId),
  ],
);

