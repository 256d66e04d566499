export type SocialNetwork = "linkedin" | "twitter" | "github" | "facebook" | "instagram" | "youtube";

/** First path segments that are site features, share buttons or posts rather than an account. */
const NOT_ACCOUNTS: Record<Exclude<SocialNetwork, "linkedin" | "youtube">, Set<string>> = {
  twitter: new Set(["share", "intent", "home", "i", "search", "hashtag", "explore", "login", "signup", "settings", "privacy", "tos", "messages"]),
  github: new Set([
    "about",
    "apps",
    "collections",
    "customer-stories",
    "enterprise",
    "features",
    "join",
    "login",
    "marketplace",
    "pricing",
    "readme",
    "security",
    "settings",
    "site",
    "sponsors",
    "topics",
    "trending",
  ]),
  facebook: new Set(["sharer.php", "sharer", "share", "share.php", "dialog", "plugins", "tr", "login", "l.php", "hashtag", "watch"]),
  instagram: new Set(["p", "reel", "reels", "explore", "accounts", "stories", "tv", "direct"]),
};

const networkOf = (host: string): SocialNetwork | null => {
  const h = host.toLowerCase().replace(/^(www|m|mobile)\./, "");
  if (h === "linkedin.com" || h.endsWith(".linkedin.com")) return "linkedin";
  if (h === "twitter.com" || h === "x.com") return "twitter";
  if (h === "github.com") return "github";
  if (h === "facebook.com" || h === "fb.com") return "facebook";
  if (h === "instagram.com") return "instagram";
  if (h === "youtube.com") return "youtube";
  return null;
};

/** A link to an account or page on a social network, in one canonical form; null for anything else. */
export function socialProfileOf(href: string, base?: string): { network: SocialNetwork; url: string } | null {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const network = networkOf(url.hostname);
  if (!network) return null;
  const [first = "", second = ""] = url.pathname.split("/").filter(Boolean).map(decodeURIComponentSafe);
  switch (network) {
    case "linkedin":
      return ["company", "in", "school", "showcase"].includes(first) && second
        ? { network, url: `https://www.linkedin.com/${first}/${second}` }
        : null;
    case "youtube":
      if (first.startsWith("@")) return { network, url: `https://www.youtube.com/${first}` };
      return ["channel", "c", "user"].includes(first) && second ? { network, url: `https://www.youtube.com/${first}/${second}` } : null;
    case "twitter":
      return /^[A-Za-z0-9_]{1,15}$/.test(first) && !NOT_ACCOUNTS.twitter.has(first.toLowerCase())
        ? { network, url: `https://x.com/${first}` }
        : null;
    case "github": {
      const account = first === "orgs" ? second : first;
      return /^[A-Za-z0-9-]{1,39}$/.test(account) && !NOT_ACCOUNTS.github.has(account.toLowerCase())
        ? { network, url: `https://github.com/${account}` }
        : null;
    }
    case "facebook": {
      const id = url.searchParams.get("id");
      if (first === "profile.php" && id && /^\d+$/.test(id)) return { network, url: `https://www.facebook.com/profile.php?id=${id}` };
      return first && !NOT_ACCOUNTS.facebook.has(first.toLowerCase()) && !first.includes(".php")
        ? { network, url: `https://www.facebook.com/${first}` }
        : null;
    }
    case "instagram":
      return /^[A-Za-z0-9._]{1,30}$/.test(first) && !NOT_ACCOUNTS.instagram.has(first.toLowerCase())
        ? { network, url: `https://www.instagram.com/${first}` }
        : null;
  }
}

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The first account per network, in the order the links appear. */
export function socialProfilesOf(hrefs: string[], base?: string): Partial<Record<SocialNetwork, string>> {
  const found: Partial<Record<SocialNetwork, string>> = {};
  for (const href of hrefs) {
    const profile = socialProfileOf(href, base);
    if (profile && !found[profile.network]) found[profile.network] = profile.url;
  }
  return found;
}
