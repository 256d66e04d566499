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

/** An optional var or secret: unset and "" both mean "not configured". */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

const optionalUrl = z
  .union([z.literal(""), z.url({ protocol: /^https?$/ })])
  .optional()
  .transform((v) => (v ? v : undefined));

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
  /** USD per credit for LLM work: a record's credits = its cost / this, rounded up once. */
  CREDIT_VALUE_USD: z
    .string()
    .regex(/^\d{1,6}(\.\d{1,12})?$/, "CREDIT_VALUE_USD must be a positive decimal such as 0.01")
    .refine((v) => Number(v) > 0, "CREDIT_VALUE_USD must be positive")
    .default("0.01"),
  /** The model an LLM enrichment uses when it names none (`provider::model`). */
  LLM_DEFAULT_MODEL: z.string().min(3).default("openai::gpt-4o-mini"),
  // Operator-wide LLM credentials, used by organizations that configured none of their own.
  OPENAI_API_KEY: optionalText,
  ANTHROPIC_API_KEY: optionalText,
  GEMINI_API_KEY: optionalText,
  DEEPSEEK_API_KEY: optionalText,
  CLOUDFLARE_ACCOUNT_ID: optionalText,
  CLOUDFLARE_API_TOKEN: optionalText,
  // Operator-wide base URLs in place of the providers' official ones (a gateway, a self-hosted proxy, a test fake).
  OPENAI_BASE_URL: optionalUrl,
  ANTHROPIC_BASE_URL: optionalUrl,
  GEMINI_BASE_URL: optionalUrl,
  DEEPSEEK_BASE_URL: optionalUrl,
  WORKERS_AI_BASE_URL: optionalUrl,
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
