import disposableDomains from "disposable-email-domains-js/dist/dict/disposable_email_blocklist.json";
import { getDomain } from "tldts";
import { z } from "zod";
import { FREE_MAIL_DOMAINS, PLUS_ADDRESSING_DOMAINS } from "./free-mail-domains";

/** Shared mailboxes: mail reaches a team, not a person, so a person-level match is weak. */
const ROLE_LOCAL_PARTS = new Set([
  "abuse",
  "accounting",
  "accounts",
  "admin",
  "administrator",
  "billing",
  "booking",
  "careers",
  "compliance",
  "contact",
  "customerservice",
  "dev",
  "enquiries",
  "feedback",
  "finance",
  "hello",
  "help",
  "helpdesk",
  "hostmaster",
  "hr",
  "info",
  "inquiries",
  "investors",
  "it",
  "jobs",
  "legal",
  "mail",
  "marketing",
  "media",
  "newsletter",
  "no-reply",
  "noreply",
  "notifications",
  "office",
  "orders",
  "partners",
  "postmaster",
  "press",
  "privacy",
  "recruiting",
  "reception",
  "sales",
  "security",
  "service",
  "support",
  "team",
  "webmaster",
]);

const emailSyntax = z.email();

/** The maintained disposable-email-domains blocklist (CC0), as a set built once per isolate. */
let disposable: Set<string> | undefined;
const isDisposableEmailDomain = (domain: string) => {
  disposable ??= new Set(disposableDomains);
  return disposable.has(domain);
};

export interface EmailAddress {
  /** Lower-cased, trimmed, with an internationalized domain in its ASCII (punycode) form. */
  normalized: string;
  /** The mailbox it reaches: sub-address (`+tag`) dropped where the provider ignores it, Gmail dots removed. */
  canonical: string;
  localPart: string;
  domain: string;
  /** The registrable domain (tldts), which decides the provider lists. */
  registrableDomain: string | null;
  disposable: boolean;
  freeProvider: boolean;
  roleAddress: boolean;
}

/** The ASCII form of a host name, or null when it is not one. */
function asciiDomain(domain: string): string | null {
  try {
    const host = new URL(`http://${domain}`).hostname;
    return host === domain || /[^\x00-\x7f]/.test(domain) ? host : null;
  } catch {
    return null;
  }
}

/** A disposable provider's subdomains are disposable too (random.mailinator.com). */
function isDisposableDomain(domain: string, registrable: string | null): boolean {
  const labels = domain.split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    const candidate = labels.slice(i).join(".");
    if (isDisposableEmailDomain(candidate)) return true;
    if (candidate === registrable) break;
  }
  return false;
}

function canonicalOf(localPart: string, domain: string): string {
  if (!PLUS_ADDRESSING_DOMAINS.has(domain)) return `${localPart}@${domain}`;
  let local = localPart.split("+")[0] || localPart;
  let host = domain;
  if (domain === "gmail.com" || domain === "googlemail.com") {
    local = local.replaceAll(".", "");
    host = "gmail.com";
  }
  return `${local}@${host}`;
}

/**
 * Syntax check (RFC 5321 lengths plus a strict address grammar) and classification of an address.
 * Returns null when the address is not syntactically valid.
 */
export function analyzeEmail(raw: string): EmailAddress | null {
  const trimmed = raw.trim().toLowerCase();
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at === trimmed.length - 1) return null;
  const localPart = trimmed.slice(0, at);
  const domain = asciiDomain(trimmed.slice(at + 1).replace(/\.$/, ""));
  if (!domain || localPart.length > 64 || domain.length > 253) return null;
  const normalized = `${localPart}@${domain}`;
  if (normalized.length > 254 || !emailSyntax.safeParse(normalized).success) return null;
  const registrableDomain = getDomain(domain);
  return {
    normalized,
    canonical: canonicalOf(localPart, domain),
    localPart,
    domain,
    registrableDomain,
    disposable: isDisposableDomain(domain, registrableDomain),
    freeProvider: FREE_MAIL_DOMAINS.has(domain) || (registrableDomain !== null && FREE_MAIL_DOMAINS.has(registrableDomain)),
    roleAddress: ROLE_LOCAL_PARTS.has(localPart.split("+")[0] ?? localPart),
  };
}
