import type { Integration } from "../types";
import { companiesHouse } from "./companies-house";
import { gleifLei } from "./gleif-lei";
import { hunterEmailFinder } from "./hunter-email-finder";
import { hunterEmailVerifier } from "./hunter-email-verifier";
import { opensanctionsMatch } from "./opensanctions-match";
import { pdlCompanyEnrich } from "./pdl-company-enrich";
import { pdlPersonEnrich } from "./pdl-person-enrich";

/** Adapters for third-party provider APIs. */
export const providerAdapters: Integration[] = [
  gleifLei,
  opensanctionsMatch,
  companiesHouse,
  hunterEmailFinder,
  hunterEmailVerifier,
  pdlPersonEnrich,
  pdlCompanyEnrich,
];
