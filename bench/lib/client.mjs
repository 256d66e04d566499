import { BENCH_ADMIN_TOKEN } from "./dev-server.mjs";

/**
 * Every response any bench client sees is tallied here, so a scenario can report the 5xx answers clients
 * met (the fault target is zero). `mark()` starts a count for one scenario.
 */
export const responses = {
  total: 0,
  byStatus: {},
  serverErrors: [],
  record(status, method, path, body, count = 1) {
    this.total += count;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + count;
    if (status >= 500 && this.serverErrors.length < 50) this.serverErrors.push({ status, method, path, body: String(body ?? "").slice(0, 300) });
  },
  mark() {
    const start = { ...this.byStatus };
    return () => {
      let count = 0;
      for (const [status, n] of Object.entries(this.byStatus)) if (Number(status) >= 500) count += n - (start[status] ?? 0);
      return count;
    };
  },
};

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} → ${status}: ${String(body).slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

export class Api {
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /** JSON in, JSON out; throws unless the status is one of `expect`. */
  async call(method, path, { body, expect = [200, 201, 202, 204], headers = {}, timeoutMs = 60_000 } = {}) {
    const init = { method, headers: { authorization: `Bearer ${this.token}`, ...headers }, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers["content-type"] ??= "application/json";
    }
    const res = await fetch(`${this.baseUrl}${path}`, init);
    const text = await res.text();
    responses.record(res.status, method, path, text);
    if (!expect.includes(res.status)) throw new ApiError(method, path, res.status, text);
    return { status: res.status, headers: res.headers, json: text ? safeJson(text) : undefined };
  }

  async json(method, path, options) {
    return (await this.call(method, path, options)).json;
  }

  /** Every item of a cursor-paginated list (bounded by `maxPages`). */
  async all(path, { limit = 200, maxPages = 500 } = {}) {
    const items = [];
    let cursor = null;
    for (let page = 0; page < maxPages; page++) {
      const sep = path.includes("?") ? "&" : "?";
      const q = `${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const body = await this.json("GET", `${path}${q}`);
      items.push(...(body.data ?? []));
      cursor = body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error(`${path}: more than ${maxPages} pages`);
  }
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A fresh organization for one scenario (credits, ledger and webhooks stay apart), with the given
 * integrations enabled and pointed at the fake provider.
 */
export async function setupOrg(baseUrl, { name, integrations, providerUrl, billingMode = "postpaid", initialCredits }) {
  const operator = new Api(baseUrl, BENCH_ADMIN_TOKEN);
  const created = await operator.json("POST", "/v1/admin/organizations", {
    body: { name, billingMode, ...(initialCredits === undefined ? {} : { initialCredits }) },
  });
  const api = new Api(baseUrl, created.apiKey.key);
  for (const code of integrations) {
    await api.json("PUT", `/v1/integrations/${code}`, { body: { enabled: true, config: { baseUrl: providerUrl } } });
  }
  return { api, orgId: created.organization.id };
}
