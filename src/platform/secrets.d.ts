// Secrets are not in wrangler.toml, so `wrangler types` cannot see them: set with `wrangler secret put`, or in .dev.vars.
declare namespace Cloudflare {
  interface Env {
    ADMIN_TOKEN?: string;
    ENCRYPTION_KEY?: string;
    // Optional operator defaults for LLM providers (secrets), and optional base URLs in their place (vars).
    OPENAI_API_KEY?: string;
    ANTHROPIC_API_KEY?: string;
    GEMINI_API_KEY?: string;
    DEEPSEEK_API_KEY?: string;
    CLOUDFLARE_ACCOUNT_ID?: string;
    CLOUDFLARE_API_TOKEN?: string;
    OPENAI_BASE_URL?: string;
    ANTHROPIC_BASE_URL?: string;
    GEMINI_BASE_URL?: string;
    DEEPSEEK_BASE_URL?: string;
    WORKERS_AI_BASE_URL?: string;
  }
}
