import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevServer, freePort, run } from "../e2e/dev-server";

/**
 * `npm run test:browser`: Debian's Chromium opens /docs on a real `wrangler dev` with every request to any other host
 * blocked and recorded, sees the operations, and sends one authenticated request from the page. It fails if the
 * viewer tried to reach any other host at all, broke its content security policy, or links the document to an
 * outside service.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ADMIN_TOKEN = `browser-admin-${randomBytes(12).toString("hex")}`;
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let dir = "";
let server: DevServer;
let context: BrowserContext;
/** Every request the page made to a host other than the dev server: blocked, and a failure. */
const blocked: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  dir = mkdtempSync(join(tmpdir(), "dossier-browser-"));
  const envFile = join(dir, "browser.env");
  writeFileSync(envFile, `ADMIN_TOKEN=${ADMIN_TOKEN}\nENCRYPTION_KEY=${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", join(dir, "state")], 120_000);
  server = new DevServer({ port: await freePort(), inspectorPort: await freePort(), persistTo: join(dir, "state"), envFile, vars: {} });
  await server.start();
  context = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const origin = new URL(server.url).origin;
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  await context.routeWebSocket(/.*/, (ws) => {
    blocked.push(ws.url());
    return ws.close();
  });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function createOrg(): Promise<string> {
  const res = await fetch(`${server.url}/v1/admin/organizations`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Browser test", billingMode: "postpaid" }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { apiKey: { key: string } }).apiKey.key;
}

describe("/docs in Chromium with every other host blocked", () => {
  it("lists the operations and sends an authenticated request, reaching no other host", async () => {
    const key = await createOrg();
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    const docs = await page.goto(`${server.url}/docs`);
    expect(docs?.status()).toBe(200);

    // Every tag of the document is a group in the sidebar; the Entities group lists its operations.
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[]; summary?: string }>> };
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
    const tags = [...new Set(operations.flatMap((op) => op.tags ?? []))];
    expect(tags.length).toBeGreaterThan(5);
    await page.getByRole("button", { name: "Open Group - Entities" }).click({ timeout: 30_000 });
    for (const tag of tags.filter((t) => t !== "System")) {
      expect(await page.getByRole("button", { name: new RegExp(`^(Open|Close) Group - ${tag}$`) }).count(), tag).toBe(1);
    }
    const entityOps = operations.filter((op) => op.tags?.includes("Entities"));
    expect(entityOps.length).toBeGreaterThan(3);
    for (const op of entityOps) await page.getByText(op.summary ?? "", { exact: true }).first().waitFor({ timeout: 10_000 });

    // One authenticated request from the page: the key in the reference's auth field, then the operation's client.
    await page.getByPlaceholder("Token").first().fill(key);
    await page.getByText("List entities, newest first", { exact: true }).first().click();
    await page.getByRole("button", { name: /Test Request/ }).filter({ hasText: "get /v1/entities)" }).click();
    const answered = page.waitForResponse((res) => new URL(res.url()).pathname === "/v1/entities" && res.request().method() === "GET");
    await page.getByRole("button", { name: /Send get request to \/v1\/entities/ }).first().click();
    const res = await answered;
    expect(res.request().headers().authorization).toBe(`Bearer ${key}`);
    expect(res.status()).toBe(200);
    await page.getByText("200 OK").first().waitFor({ timeout: 10_000 });

    // Nothing in the page hands the document to an outside service ("Open in …", hosted clients): only plain links.
    // (A string: this file is type-checked without the DOM library.)
    const links = (await page.evaluate("[...document.querySelectorAll('a[href]')].map((a) => a.href)")) as string[];
    const outsideLinks = links.filter((href) => !href.startsWith(`${server.url}/`));
    const origin = new URL(server.url).origin;
    expect(outsideLinks.filter((href) => href.includes(encodeURIComponent(origin)) || href.includes("openapi"))).toEqual([]);

    expect(blocked, "requests to other hosts").toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  }, 120_000);
});
