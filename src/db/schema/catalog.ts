import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { EntityType } from "../../domain/attributes";

/** What an `http_json` integration does, as configured through `POST /v1/integrations/custom`. */
export interface HttpJsonDefinition {
  method: "GET" | "POST";
  /** `{{attribute}}` placeholders are URL-encoded on substitution; the host is always literal. */
  urlTemplate: string;
  /** Values may reference the integration's encrypted credentials as `{{secrets.NAME}}`. */
  headers: Record<string, string>;
  bodyTemplate: unknown | null;
  /** Dossier field → JSON path in the answer (`$.a.b[0].c`). */
  mapping: Record<string, string>;
  /** Any condition that holds makes the answer NO_DATA. */
  noData: { path: string; when: "missing" | "empty" | "equals"; value?: unknown }[];
  confidence: { value?: number; path?: string; scale?: number };
}

/** An organization's own provider, defined by configuration; its secrets live in integration_settings. */
export const customIntegrations = sqliteTable(
  "custom_integrations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    code: text("code").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    entityTypes: text("entity_types", { mode: "json" }).$type<EntityType[]>().notNull(),
    inputs: text("inputs", { mode: "json" }).$type<string[][]>().notNull(),
    definition: text("definition", { mode: "json" }).$type<HttpJsonDefinition>().notNull(),
    credits: integer("credits").notNull(),
    costCents: integer("cost_cents").notNull(),
    timeoutMs: integer("timeout_ms").notNull(),
    /** Null: answers are not cached. Cached answers are only ever shared within the organization. */
    cacheTtlSeconds: integer("cache_ttl_seconds"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("custom_integrations_org_code_idx").on(t.orgId, t.code), index("custom_integrations_org_created_idx").on(t.orgId, t.createdAt)],
);

export const integrationSettings = sqliteTable(
  "integration_settings",
  {
    orgId: text("org_id").notNull(),
    code: text("code").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** AES-GCM ciphertext of the JSON credentials object; never returned. */
    credentialsEncrypted: text("credentials_encrypted"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.code] })],
);

export const enrichmentGroups = sqliteTable(
  "enrichment_groups",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    integrationCodes: text("integration_codes", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("groups_org_slug_idx").on(t.orgId, t.slug), index("groups_org_created_idx").on(t.orgId, t.createdAt)],
);
