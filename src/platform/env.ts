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
