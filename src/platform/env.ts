import { z } from "zod";

/**
 * The Worker's bindings and vars, generated from wrangler.toml by `npm run cf-typegen` (worker-configuration.d.ts);
 * the two secrets are declared in secrets.d.ts beside this file. Read them through `readSettings`, never directly.
 */
export type Env = Cloudflare.Env;

const boolString = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

/**
 * The foreign APIs Dossier also serves (src/features/compat/, one folder each). `COMPAT_APIS` names the ones to serve:
 * a comma list of these, or `all` (the default) or `none`. A product left out answers 404 and is absent from /openapi.json.
 */
export const COMPAT_PRODUCTS = ["entity-enricher", "lance", "instaview", "gu1", "salesos"] as const;
export type CompatProduct = (typeof COMPAT_PRODUCTS)[number];

const compatApis = z
  .string()
  .optional()
  .transform((raw, ctx): ReadonlySet<CompatProduct> => {
    const names = (raw ?? "all").split(",").map((n) => n.trim().toLowerCase()).filter(Boolean);
    if (names.length === 0 || (names.length === 1 && names[0] === "all")) return new Set(COMPAT_PRODUCTS);
    if (names.length === 1 && names[0] === "none") return new Set();
    const unknown = names.filter((n) => !(COMPAT_PRODUCTS as readonly string[]).includes(n));
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `unknown ${unknown.join(", ")}; use a comma list of ${COMPAT_PRODUCTS.join(", ")}, or all, or none` });
      return z.NEVER;
    }
    return new Set(names as CompatProduct[]);
  });

const settingsSchema = z.object({
  ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be set (at least 16 characters)"),
  ENCRYPTION_KEY: z.string().min(16, "ENCRYPTION_KEY must be set (at least 16 characters)"),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  ALLOW_LOOPBACK_FETCH: boolString,
  CHARGE_CACHE_HITS: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v !== "false"),
  DOH_URL: z.string().url().default("https://cloudflare-dns.com/dns-query"),
  MAX_CONNECTIONS_PER_INVOCATION: z.coerce.number().int().min(1).max(1000).default(6),
  CONTACT_ENRICHMENT_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(800),
  COMPAT_APIS: compatApis,
});

export type Settings = z.infer<typeof settingsSchema>;

const cache = new WeakMap<object, Settings>();

/** Parses the deployment's vars and secrets once per isolate; a bad value fails loudly and early. */
export function readSettings(env: Env): Settings {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid Dossier configuration: ${problems}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
