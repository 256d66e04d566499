import { exports } from "cloudflare:workers";
import { TEST_ADMIN_TOKEN } from "../constants";
import { type CallOptions, type CallResult, requestInit, resultOf } from "./http-call";

export { TEST_ADMIN_TOKEN };
export type { CallOptions, CallResult };

/** Calls the Worker through its real fetch handler. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  return resultOf(await exports.default.fetch(new Request(`http://dossier.test${path}`, requestInit(method, options))));
}

export interface TestOrg {
  orgId: string;
  adminKey: string;
  adminKeyId: string;
}

let orgCounter = 0;

/** A fresh organization with an admin key, created through the operator API. */
export async function createOrg(opts: { billingMode?: "prepaid" | "postpaid"; initialCredits?: number; name?: string } = {}): Promise<TestOrg> {
  const res = await call("POST", "/v1/admin/organizations", {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: { name: opts.name ?? `Org ${++orgCounter}`, billingMode: opts.billingMode ?? "postpaid", initialCredits: opts.initialCredits },
  });
  if (res.status !== 201) throw new Error(`createOrg failed: ${res.status} ${res.text}`);
  return { orgId: res.json.organization.id, adminKey: res.json.apiKey.key, adminKeyId: res.json.apiKey.id };
}

export async function createKey(adminKey: string, role: "admin" | "member" | "viewer", extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/v1/api-keys", { key: adminKey, body: { name: `${role} key`, role, ...extra } });
  if (res.status !== 201) throw new Error(`createKey failed: ${res.status} ${res.text}`);
  return res.json as { id: string; key: string };
}
