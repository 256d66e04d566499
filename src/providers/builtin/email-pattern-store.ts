import { and, count, eq, or, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { emailPatternObservations } from "../../db/schema/providers";
import { entities } from "../../db/schema/entities";
import type { Settings } from "../../platform/env";
import { hmacSha256, purposeKey, toHex } from "../../platform/lib/crypto";
import { type EmailPattern, EMAIL_PATTERNS, type PatternCounts, inferPattern } from "./email-patterns";
import { personNameOf } from "./person-name";

export interface Observation {
  email: string;
  domain: string;
  pattern: EmailPattern;
  source: "email_validate" | "organization";
}

/** Keyed hash of an address: dedupes observations without storing addresses (nor hashes one could look up). */
async function addressHash(secret: string, email: string): Promise<string> {
  return toHex(await hmacSha256(await purposeKey(secret, "email-patterns"), email.toLowerCase()));
}

/** Adds observations; an address already seen at its domain is ignored, so counts are distinct addresses. */
export async function recordObservations(db: Db, settings: Pick<Settings, "ENCRYPTION_KEY">, observations: Observation[]): Promise<void> {
  if (observations.length === 0) return;
  const seenAt = new Date().toISOString();
  const rows = await Promise.all(
    observations.map(async (o) => ({
      domain: o.domain,
      addressHash: await addressHash(settings.ENCRYPTION_KEY, o.email),
      pattern: o.pattern,
      source: o.source,
      seenAt,
    })),
  );
  // D1 caps bound parameters per statement (100); five columns per row.
  const statements = [];
  for (let i = 0; i < rows.length; i += 15) {
    statements.push(db.insert(emailPatternObservations).values(rows.slice(i, i + 15)).onConflictDoNothing());
  }
  const [head, ...rest] = statements;
  if (head) await db.batch([head, ...rest]);
}

/** Distinct verified addresses per format at a mail domain, across every organization. */
export async function globalPatternCounts(db: Db, domain: string): Promise<PatternCounts> {
  const rows = await db
    .select({ pattern: emailPatternObservations.pattern, n: count() })
    .from(emailPatternObservations)
    .where(eq(emailPatternObservations.domain, domain))
    .groupBy(emailPatternObservations.pattern);
  const known = new Set<string>(EMAIL_PATTERNS);
  return Object.fromEntries(rows.filter((r) => known.has(r.pattern)).map((r) => [r.pattern, r.n]));
}

const likeSuffix = (domain: string) => `%@${domain.replace(/[%_\\]/g, (m) => `\\${m}`)}`;

/** How many of an organization's addresses at the domain one discovery reads at most. */
const ORGANIZATION_SAMPLE = 500;

/**
 * The organization's people with a known address at the domain (their `email` attribute, or an `enriched.email`
 * that some other integration found — never a guess of our own), and the format each address follows.
 */
export async function organizationObservations(db: Db, orgId: string, domain: string): Promise<Observation[]> {
  const suffix = likeSuffix(domain);
  const rows = await db
    .select({ attributes: entities.attributes, enriched: entities.enriched })
    .from(entities)
    .where(
      and(
        eq(entities.orgId, orgId),
        eq(entities.type, "person"),
        or(
          sql`json_extract(${entities.attributes}, '$.email') LIKE ${suffix} ESCAPE '\\'`,
          sql`json_extract(${entities.enriched}, '$.email.value') LIKE ${suffix} ESCAPE '\\'`,
        ),
      ),
    )
    .limit(ORGANIZATION_SAMPLE);
  const observations: Observation[] = [];
  for (const row of rows) {
    const name = personNameOf(row.attributes);
    if (!name) continue;
    const found = row.enriched.email;
    const emails = [row.attributes.email, found && found.source !== "email_discover" ? found.value : undefined];
    for (const email of new Set(emails)) {
      if (typeof email !== "string" || !email.toLowerCase().endsWith(`@${domain}`)) continue;
      const pattern = inferPattern(email.slice(0, email.lastIndexOf("@")), name);
      if (pattern) observations.push({ email: email.toLowerCase(), domain, pattern, source: "organization" });
    }
  }
  return observations;
}

export function countPatterns(observations: Observation[]): PatternCounts {
  const counts: PatternCounts = {};
  const seen = new Set<string>();
  for (const o of observations) {
    if (seen.has(o.email)) continue;
    seen.add(o.email);
    counts[o.pattern] = (counts[o.pattern] ?? 0) + 1;
  }
  return counts;
}
