/**
 * A fresh checkout of the working tree in a temporary folder, as a newcomer's clone would be: the files git tracks
 * plus the new ones it would track (uncommitted edits included, ignored files such as .dev.vars, .wrangler/ and
 * public/ left out), with `node_modules` linked to the repository's own so nothing is installed again, and
 * `../shared` beside it linked to the repository's neighbour when there is one (the bundled data lives there).
 * Runs under Node's type stripping: erasable TypeScript only.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface TempCheckout {
  /** The checkout's root. */
  dir: string;
  /** Its parent folder, holding it and `shared`; remove this one when done. */
  parent: string;
}

export function tempCheckout(root: string, prefix = "dossier-checkout-"): TempCheckout {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  const dir = join(parent, "dossier");
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  for (const file of listed.split("\0")) {
    if (!file || !existsSync(join(root, file))) continue; // a deleted file git still tracks
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  const shared = resolve(root, "..", "shared");
  if (existsSync(shared)) symlinkSync(shared, join(parent, "shared"), "dir");
  return { dir, parent };
}
