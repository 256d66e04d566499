import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";

describe("GET /healthz", () => {
  it("answers ok without auth", async () => {
    const res = await call("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
  });
});
