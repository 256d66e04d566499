import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * One row per imported copy of the SDN list. Rows of the other tables carry their list's id, so a
 * new import loads beside the active list and takes over in one update: screening never sees a
 * half-loaded list, and a failed import leaves the previous one in force.
 */
export const sanctionsLists = sqliteTable(
  "sanctions_lists",
  {
    id: text("id").primaryKey(),
    source: text("source").notNull(),
    /** SHA-256 of the CSV as uploaded. */
    checksum: text("checksum").notNull(),
    status: text("status", { enum: ["loading", "active", "superseded"] }).notNull(),
    entries: integer("entries").notNull(),
    names: integer("names").notNull(),
    tokens: integer("tokens").notNull(),
    startedAt: text("started_at").notNull(),
    loadedAt: text("loaded_at"),
  },
  (t) => [index("sanctions_lists_status_idx").on(t.status)],
);

export const sanctionsEntries = sqliteTable(
  "sanctions_entries",
  {
    listId: text("list_id").notNull(),
    sdnId: integer("sdn_id").notNull(),
    name: text("name").notNull(),
    type: text("type", { enum: ["individual", "entity", "vessel", "aircraft"] }).notNull(),
    programs: text("programs", { mode: "json" }).$type<string[]>().notNull(),
    remarks: text("remarks"),
    /** Aliases, dates and places of birth, nationalities, countries, vessel details (see EntryFacts). */
    facts: text("facts", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.listId, t.sdnId] })],
);

export const sanctionsNames = sqliteTable(
  "sanctions_names",
  {
    listId: text("list_id").notNull(),
    nameId: integer("name_id").notNull(),
    sdnId: integer("sdn_id").notNull(),
    name: text("name").notNull(),
    normalized: text("normalized").notNull(),
    kind: text("kind", { enum: ["primary", "aka", "fka", "nka"] }).notNull(),
    quality: text("quality", { enum: ["strong", "weak"] }).notNull(),
    party: text("party", { enum: ["person", "organization"] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.listId, t.nameId] })],
);

/** The inverted index screening looks candidates up in: normalized token → names holding it. */
export const sanctionsNameTokens = sqliteTable(
  "sanctions_name_tokens",
  {
    listId: text("list_id").notNull(),
    party: text("party", { enum: ["person", "organization"] }).notNull(),
    token: text("token").notNull(),
    nameId: integer("name_id").notNull(),
    sdnId: integer("sdn_id").notNull(),
    weight: real("weight").notNull(),
  },
  // Covering: the candidate query reads name ids and weights from the index alone.
  (t) => [index("sanctions_tokens_lookup_idx").on(t.listId, t.party, t.token, t.nameId, t.weight)],
);

/** One-deletion variants of every indexed token (SymSpell), for typo-tolerant lookup by exact match. */
export const sanctionsTokenVariants = sqliteTable(
  "sanctions_token_variants",
  {
    listId: text("list_id").notNull(),
    variant: text("variant").notNull(),
    token: text("token").notNull(),
  },
  (t) => [index("sanctions_variants_lookup_idx").on(t.listId, t.variant, t.token)],
);

/** An organization's review of a match: this SDN entry is not this entity. */
export const screeningClearances = sqliteTable(
  "screening_clearances",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    entityId: text("entity_id").notNull(),
    sdnId: integer("sdn_id").notNull(),
    note: text("note"),
    createdAt: text("created_at").notNull(),
    createdByKeyId: text("created_by_key_id"),
  },
  (t) => [
    uniqueIndex("screening_clearances_entity_sdn_idx").on(t.orgId, t.entityId, t.sdnId),
    index("screening_clearances_org_created_idx").on(t.orgId, t.createdAt, t.id),
  ],
);
