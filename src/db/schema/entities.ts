import { sql } from "drizzle-orm";
import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ENTITY_TYPES } from "../../domain/attributes";

export const entities = sqliteTable(
  "entities",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    type: text("type", { enum: ENTITY_TYPES }).notNull(),
    externalId: text("external_id"),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    enriched: text("enriched", { mode: "json" })
      .$type<Record<string, EnrichedField>>()
      .notNull()
      .default(sql`'{}'`),
    /**
     * Where each attribute's value came from, by attribute name (`custom.<key>` for custom ones). An attribute with no
     * entry here is the customer's (entities written before provenance was recorded).
     */
    attributeSources: text("attribute_sources", { mode: "json" })
      .$type<Record<string, AttributeSource>>()
      .notNull()
      .default(sql`'{}'`),
    /** Labels set by the organization (PATCH) or by its rules' `add_tag` actions; a set, in the order added. */
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Lower-cased names, emails and domains, for `?q=` search. */
    searchText: text("search_text").notNull().default(""),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("entities_org_external_idx").on(t.orgId, t.externalId),
    index("entities_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("entities_org_type_idx").on(t.orgId, t.type, t.createdAt),
  ],
);

export interface EnrichedField {
  value: unknown;
  source: string;
  confidence: number;
  enrichedAt: string;
  /** The record the value came from, when its source keeps records of its own (an LLM record). */
  recordId?: string;
}

/** Who set an attribute's value: the customer (API writes, imports), enrichment (auto-enrichment), or a resolved conflict. */
export const ATTRIBUTE_SOURCES = ["customer", "enrichment", "resolution"] as const;
export type AttributeSourceKind = (typeof ATTRIBUTE_SOURCES)[number];

export interface AttributeSource {
  source: AttributeSourceKind;
  /** The integration whose finding it is (enrichment, and accepted resolutions). */
  integrationCode?: string;
  enrichmentId?: string;
  confidence?: number;
  setAt: string;
  /** The API key that wrote it (customer writes and resolutions). */
  setByKeyId?: string | null;
}
