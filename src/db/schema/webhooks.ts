import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    url: text("url").notNull(),
    description: text("description"),
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** Set when Dossier disabled the endpoint itself ("failing"); cleared when it is enabled again. */
    disabledReason: text("disabled_reason", { enum: ["failing"] }),
    /** AES-GCM envelope of the `whsec_…` signing secret; the plaintext is shown once, at creation. */
    secretEncrypted: text("secret_encrypted").notNull(),
    /** First failed attempt since the last success; drives auto-disable. */
    failingSince: text("failing_since"),
    lastSuccessAt: text("last_success_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("webhooks_org_created_idx").on(t.orgId, t.createdAt, t.id)],
);

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    webhookId: text("webhook_id").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The exact JSON body sent, so every retry signs and sends the same bytes. */
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull(),
    /** Bumped by a redelivery; queue messages of an older generation are stale and dropped. */
    generation: integer("generation").notNull().default(0),
    attemptCount: integer("attempt_count").notNull().default(0),
    /** Epoch ms until which one consumer holds the right to send; stops duplicate messages sending twice at once. */
    leaseUntil: integer("lease_until"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    lastAttemptAt: text("last_attempt_at"),
    nextAttemptAt: text("next_attempt_at"),
    deliveredAt: text("delivered_at"),
    failedAt: text("failed_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_webhook_idx").on(t.eventId, t.webhookId),
    index("webhook_deliveries_webhook_created_idx").on(t.orgId, t.webhookId, t.createdAt, t.id),
  ],
);

export const webhookDeliveryAttempts = sqliteTable(
  "webhook_delivery_attempts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    webhookId: text("webhook_id").notNull(),
    deliveryId: text("delivery_id").notNull(),
    /** Null when no HTTP answer came (timeout, refused connection, blocked URL). */
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    error: text("error"),
    at: text("at").notNull(),
  },
  (t) => [
    index("webhook_attempts_delivery_idx").on(t.deliveryId, t.at),
    index("webhook_attempts_webhook_idx").on(t.webhookId),
  ],
);
