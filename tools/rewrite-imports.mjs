// Moves files by tools/move-map.json (`git mv`) and rewrites every relative import that pointed at a moved file, or
// that a moved file makes. Run from the repo root: `node tools/rewrite-imports.mjs [--no-move] [files…]`.
// Also useful after merging a branch that still uses the old paths: `node tools/rewrite-imports.mjs --no-move`.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";

const map = JSON.parse(readFileSync(new URL("./move-map.json", import.meta.url), "utf8"));
const args = process.argv.slice(2);
const doMove = !args.includes("--no-move");
const inverse = Object.fromEntries(Object.entries(map).map(([a, b]) => [b, a]));

if (doMove) for (const [from, to] of Object.entries(map)) {
  if (!existsSync(from)) continue;
  execFileSync("mkdir", ["-p", dirname(to)]);
  execFileSync("git", ["mv", from, to]);
}

const files = args.filter((a) => !a.startsWith("--"));
const targets = files.length
  ? files
  : execFileSync("git", ["ls-files", "src", "test", "scripts", "bench"]).toString().trim().split("\n").filter((f) => /\.(ts|tsx|mjs|js)$/.test(f));

// Where a file stood before the move (imports in it were written relative to that place).
const oldPathOf = (file) => (doMove ? (inverse[file] ?? file) : file);
const exists = (p) => existsSync(p) || Object.hasOwn(map, p) || Object.hasOwn(inverse, p);
function resolveOld(fromOld, spec) {
  const base = posix.normalize(posix.join(posix.dirname(fromOld), spec));
  for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    if (Object.hasOwn(map, c)) return c;
    if (existsSync(c) && !c.endsWith("/") && /\.[a-z]+$/.test(c)) return c;
  }
  return null;
}
const pattern = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(["'])(\.{1,2}\/[^"']*)\2/g;
let changed = 0;
for (const file of targets) {
  const text = readFileSync(file, "utf8");
  const fromOld = oldPathOf(file);
  const out = text.replace(pattern, (whole, lead, q, spec) => {
    const old = resolveOld(fromOld, spec);
    if (!old) return whole;
    const now = map[old] ?? old;
    if (now === old && fromOld === file) return whole;
    const withExt = /\.(ts|tsx|mjs|js)$/.test(spec);
    let rel = relative(dirname(file), now).split("\\").join("/");
    if (!withExt) rel = rel.replace(/\.tsx?$/, "");
    if (!withExt && !spec.endsWith("/index") && rel.endsWith("/index")) rel = rel.slice(0, -"/index".length);
    if (!withExt && rel === "index") rel = ".";
    if (!rel.startsWith(".")) rel = `./${rel}`;
    return `${lead}${q}${rel}${q}`;
  });
  if (out !== text) { writeFileSync(file, out); changed++; }
}
console.log(`rewrote imports in ${changed} files`);
