/**
 * The import rule of ARCHITECTURE.md, checked by `npm run deps` (dependency-cruiser, run from tools/deps because
 * its parser needs TypeScript 5). Type-only imports count (tsPreCompilationDeps), so a type cannot close a circle.
 */
/** Features bottom to top: each may import only those before it, and only through their index.ts. */
const order = [
  "tenancy", "billing", "entities", "webhooks", "screening", "catalog", "enrichment", "jobs", "contact-enrichment",
  "llm", "auto-enrichment", "rules", "compat",
];
/** The entry and wiring files: the only ones that import across everything. */
const wiring = "^src/[^/]+\\.tsx?$";

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "No import circles, type-only imports included.", from: {}, to: { circular: true } },
    {
      name: "platform-is-the-floor",
      severity: "error",
      comment: "platform/ knows no feature, provider, domain file or wiring.",
      from: { path: "^src/platform/" },
      to: { path: ["^src/(features|providers|domain|dashboard)/", wiring] },
    },
    {
      name: "domain-is-vocabulary",
      severity: "error",
      comment: "domain/ imports only platform/.",
      from: { path: "^src/domain/" },
      to: { path: "^src/", pathNot: ["^src/platform/", "^src/domain/"] },
    },
    {
      name: "schema-is-tables",
      severity: "error",
      comment: "db/schema/ holds drizzle tables; it imports only domain/ vocabulary (platform/ and features read it).",
      from: { path: "^src/db/schema/" },
      to: { path: "^src/", pathNot: ["^src/domain/", "^src/db/schema/"] },
    },
    {
      name: "providers-below-features",
      severity: "error",
      comment: "providers/ (the integration kit and adapters) never imports a feature or the wiring.",
      from: { path: "^src/providers/" },
      to: { path: ["^src/(features|dashboard)/", wiring] },
    },
    {
      name: "features-below-wiring",
      severity: "error",
      comment: "Features never import the wiring files; the wiring imports them.",
      from: { path: "^src/(features|dashboard)/" },
      to: { path: wiring },
    },
    ...order.slice(0, -1).map((feature, i) => ({
      name: `${feature}-looks-down`,
      severity: "error",
      comment: `${feature} may import only the features below it: ${order.slice(0, i).join(", ") || "none"}.`,
      from: { path: `^src/features/${feature}/` },
      to: { path: `^src/features/(${order.slice(i + 1).join("|")})/` },
    })),
    {
      name: "through-the-front-door",
      severity: "error",
      comment: "Another feature is reached only through its index.ts.",
      from: { path: "^src/(features|dashboard)/([^/]+)/" },
      to: { path: "^src/features/", pathNot: ["^src/features/$2/", "^src/features/[^/]+/index\\.ts$"] },
    },
    {
      name: "job-engine-knows-no-task",
      severity: "error",
      comment: "The job engine (EnrichmentJob and its store) reaches tasks only through the TaskKind interface.",
      from: { path: "^src/features/jobs/engine/" },
      to: { path: "^src/features/", pathNot: ["^src/features/jobs/engine/", "^src/features/(tenancy|billing)/index\\.ts$"] },
    },
    {
      name: "src-is-not-test",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench|scripts)/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
