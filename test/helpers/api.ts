import { exports } from "cloudflare:workers";
import { TEST_ADMIN_TOKEN } from "../constants";

export { TEST_ADMIN_TOKEN };

export interface CallOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is; bytes go without a Content-Type unless `headers` names one. */
  rawBody?: string | Uint8Array;
}

/** Calls the Worker through its real fetch handler. */
export async function call(method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(new Request(`http://dossier.test${path}`, { method, headers, body }));
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
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
