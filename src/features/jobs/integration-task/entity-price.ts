import type { EnrichmentResult } from "../../enrichment";

/**
 * A priced job's results for one entity (`IntegrationJobSpec.entityCredits`): the entity's price rides on its first
 * successful result and every other result charges nothing, so recording them charges the entity exactly once (the
 * ledger's one charge per record) whatever integrations ran. Without a price the results keep their own credits.
 */
export function priceEntity(results: EnrichmentResult[], entityCredits: number | undefined): EnrichmentResult[] {
  if (entityCredits === undefined) return results;
  const carrier = results.findIndex((r) => r.success);
  return results.map((r, i) => ({ ...r, credits: i === carrier ? entityCredits : 0 }));
}
