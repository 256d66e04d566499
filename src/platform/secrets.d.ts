// Secrets are not in wrangler.toml, so `wrangler types` cannot see them: set with `wrangler secret put`, or in .dev.vars.
declare namespace Cloudflare {
  interface Env {
    ADMIN_TOKEN?: string;
    ENCRYPTION_KEY?: string;
  }
}
