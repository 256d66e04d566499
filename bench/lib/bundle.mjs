import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Imports a TypeScript module of the repository (with its imports) from the bench's plain Node: esbuild bundles it
 * into the run's temp directory first. For the test fakes (test/fake-provider) and the pure modules the bench
 * measures (src/features/llm/fusion.ts), which Node's type stripping cannot load (extensionless imports).
 */
export async function importTs(root, dir, entry) {
  const { build } = await import("esbuild");
  const outfile = join(dir, `${entry.replace(/[^\w]+/g, "_")}.mjs`);
  await build({ entryPoints: [join(root, entry)], bundle: true, platform: "node", format: "esm", target: "node22", outfile, logLevel: "silent" });
  return import(pathToFileURL(outfile).href);
}
