import { expect } from "vitest";
import { TEST_ADMIN_TOKEN, call } from "../helpers/api";

export type Role = "viewer" | "member" | "admin";

export const operatorHeaders = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const API_KEY = /^dsr_live_[0-9A-Za-z]{32,}$/;

/** Asserts the one error shape every endpoint uses and returns its body. */
export function expectError(res: { status: number; json: any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(res.json?.error?.code).toBe(code);
  expect(typeof res.json.error.message).toBe("string");
  return res.json.error as { code: string; message: string; details?: any };
}

/** The `path`s named in a VALIDATION_ERROR's details. */
export function detailPaths(res: { json: any }): string[] {
  return (res.json?.error?.details ?? []).map((d: { path: string }) => d.path);
}

export async function newEntity(key: string, body: Record<string, unknown>) {
  const res = await call("POST", "/v1/entities", { key, body });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; externalId: string | null; attributes: Record<string, unknown>; createdAt: string; [k: string]: unknown };
}

/** Follows `nextCursor` to the end, returning each page's ids (or another field naming each row). */
export async function walkPages(key: string | undefined, path: string, headers: Record<string, string> = {}, idField = "id") {
  const pages: string[][] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const sep = path.includes("?") ? "&" : "?";
    const url = cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path;
    const res = await call("GET", url, { key, headers });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["data", "nextCursor"]);
    pages.push(res.json.data.map((row: Record<string, string>) => row[idField]));
    cursor = res.json.nextCursor;
    if (cursor === null) return pages;
    expect(typeof cursor).toBe("string");
  }
  throw new Error(`pagination of ${path} did not end`);
}

export async function auditEntries(adminKey: string, query = "") {
  const res = await call("GET", `/v1/audit-log?limit=200${query ? `&${query}` : ""}`, { key: adminKey });
  expect(res.status, res.text).toBe(200);
  return res.json.data as { id: string; actorKeyId: string | null; action: string; targetType: string; targetId: string | null; at: string; data: any }[];
}

/** The documented list order: newest first, ties on the timestamp broken by id, descending. */
export function newestFirst(rows: { id: string; createdAt: unknown }[]): string[] {
  return [...rows]
    .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : String(a.createdAt) < String(b.createdAt) ? 1 : -1))
    .map((r) => r.id);
}
