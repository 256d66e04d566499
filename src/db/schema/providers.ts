import { index, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Verified addresses seen at a mail domain and the format each follows (first.last, flast …), shared by
 * every organization: what `email_discover` ranks candidates by. One row per address, keyed by a keyed hash
 * (HMAC under the deployment secret) rather than the address itself, so seeing an address twice counts once
 * and the table holds no plaintext addresses of anyone's contacts.
 */
export const emailPatternObservations = sqliteTable(
  "email_pattern_observations",
  {
    domain: text("domain").notNull(),
    addressHash: text("address_hash").notNull(),
    pattern: text("pattern").notNull(),
    /** What saw it: `email_validate` (deliverable) or `organization` (an entity's known address). */
    source: text("source").notNull(),
    seenAt: text("seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.domain, t.addressHash] }), index("email_patterns_domain_pattern_idx").on(t.domain, t.pattern)],
);
