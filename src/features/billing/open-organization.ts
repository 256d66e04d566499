import type { Db } from "../../platform/db/client";
import { type NewOrganization, createOrganization } from "../tenancy";
import { grantStatements } from "./guarded";

/** The operator's new organization: tenancy creates it and its first key, billing grants its opening credits, in one batch. */
export async function openOrganization(db: Db, input: NewOrganization) {
  const credits = input.initialCredits ?? 0;
  const created = await createOrganization(db, input, (orgId) => (credits > 0 ? [...grantStatements(db, orgId, credits, "Initial credits")] : []));
  return { ...created, organization: { ...created.organization, creditBalance: credits } };
}
