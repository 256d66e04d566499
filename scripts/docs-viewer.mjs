#!/usr/bin/env node
// The interactive API reference's viewer, served by the Worker itself as a static asset at /docs/scalar-api-reference.js:
// the standalone browser build of @scalar/api-reference, pinned to the exact version in package.json, copied out of
// node_modules into public/ (which is not committed). wrangler.toml's [build] runs this before every `wrangler dev`,
// `wrangler deploy` and `wrangler deploy --dry-run`; vitest.config.ts runs it before the tests. Node built-ins only.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The package exports no path to its browser build, so it is read from where npm installs it. */
const SOURCE = join(root, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");
export const VIEWER_ASSET = join(root, "public", "docs", "scalar-api-reference.js");

/** Copies the viewer into public/ when it is missing or differs; answers whether it copied. */
export function copyDocsViewer() {
  if (existsSync(VIEWER_ASSET) && readFileSync(VIEWER_ASSET).equals(readFileSync(SOURCE))) return false;
  mkdirSync(dirname(VIEWER_ASSET), { recursive: true });
  copyFileSync(SOURCE, VIEWER_ASSET);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyDocsViewer();
