/**
 * A copy of wrangler.toml in another directory, with its paths made absolute. Wrangler reads a developer's local
 * settings (`.dev.vars`, else `.env`) only from the directory of the config file it is given (wrangler's
 * `getVarsForDev`), so a copy outside the repository keeps them out of the tests and benchmarks: every run sees only
 * the vars it sets itself. `edit` may change the copy (a benchmark knob); the shipped wrangler.toml is never touched.
 * Runs under Node's type stripping (the bench imports it from .mjs), so: erasable TypeScript only.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";

/** Keys whose value is a path relative to wrangler.toml's folder. */
const PATH_KEYS = ["main", "migrations_dir", "directory"];

export function isolatedWranglerConfig(root: string, dir: string, edit: (toml: string) => string = (t) => t): string {
  let toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  for (const key of PATH_KEYS) {
    toml = toml.replace(new RegExp(`^(${key}\\s*=\\s*)"([^"]+)"`, "gm"), (_, lead: string, path: string) =>
      `${lead}${JSON.stringify(isAbsolute(path) ? path : join(root, path))}`,
    );
  }
  // A custom build runs in the config's folder unless told otherwise.
  toml = toml.replace(/^\[build\]\s*$/m, `[build]\ncwd = ${JSON.stringify(root)}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "wrangler.toml");
  writeFileSync(path, edit(toml));
  return path;
}
