import { z } from "zod";
import { screenName } from "./screen";
import { EnrichmentError, missingInput } from "../../providers/errors";
import type { Integration } from "../../providers/types";

const configSchema = z.object({
  /** Matches scoring below this are not reported. */
  threshold: z.number().min(0.5).max(1).default(0.85),
  maxMatches: z.number().int().min(1).max(50).default(10),
});

const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);

/**
 * `sanctions_screen`: a person (fullName) or a company (name) against the OFAC SDN list in D1.
 * Persons are compared with listed individuals; companies with listed entities, vessels and aircraft.
 * Not cached: an answer depends on the organization's clearances, and the lookup is a single D1 round
 * trip (two with a near match), cheaper than a cache that would also have to forget every import.
 */
export const sanctionsScreen: Integration = {
  code: "sanctions_screen",
  name: "Sanctions screening (OFAC SDN)",
  description:
    "Screens a person or company name against the OFAC SDN list (aliases included), with date of birth and country as supporting evidence. Reviewed false positives can be cleared per entity.",
  entityTypes: ["person", "company"],
  inputs: [["fullName"], ["name"]],
  outputs: ["sanctionsHit", "sanctionsRiskLevel"],
  credits: 1,
  costCents: 0,
  timeoutMs: 5000,
  retry: { maxAttempts: 2, baseDelayMs: 100 },
  maxConcurrency: 20,
  cache: null,
  credentialNames: [],
  enabledByDefault: true,
  configSchema,
  lookupKey: () => null,
  async execute(input, ctx) {
    const config = configSchema.parse(ctx.config ?? {});
    const a = input.attributes;
    const person = input.entityType === "person";
    const name = person ? text(a.fullName) : text(a.name);
    if (!name) throw missingInput(person ? "Needs the person's fullName" : "Needs the company's name");
    const result = await screenName(ctx.db, {
      name,
      party: person ? "person" : "organization",
      dateOfBirth: person ? text(a.dateOfBirth) : undefined,
      country: text(a.country),
      threshold: config.threshold,
      maxMatches: config.maxMatches,
      entity: { orgId: ctx.orgId, entityId: input.entityId },
    });
    if (!result.screenedName) throw missingInput(`'${name}' has no letters or digits to screen`);
    if (!result.list) {
      throw new EnrichmentError("SYSTEM", "No sanctions list is loaded: run `npm run sanctions:import` or POST /v1/admin/sanctions/import", "system");
    }
    const open = result.matches.filter((m) => !m.cleared);
    const clearedCount = result.matches.length - open.length;
    const top = open[0];
    const summary = top
      ? `${open.length} possible SDN match${open.length === 1 ? "" : "es"}; best ${top.name} (${top.score}, ${result.riskLevel} risk)`
      : `No SDN match${clearedCount > 0 ? ` (${clearedCount} cleared)` : ""}`;
    return {
      enrichmentData: {
        hit: result.hit,
        riskLevel: result.riskLevel,
        // The best score among matches not cleared (0 when none): what a rule compares with a threshold.
        topScore: top?.score ?? 0,
        screenedName: result.screenedName,
        threshold: result.threshold,
        list: { source: result.list.source, loadedAt: result.list.loadedAt, entries: result.list.entries },
        matches: result.matches,
      },
      fields: { sanctionsHit: result.hit, sanctionsRiskLevel: result.riskLevel },
      // The list is authoritative; how sure we are of a hit is the best match's score.
      dataQuality: { completeness: 1, confidence: top ? top.score : 1 },
      summary,
      costCents: 0,
    };
  },
};
