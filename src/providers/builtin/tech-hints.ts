/** Script and stylesheet URLs that give away a site's platform or tools (first match per tool). */
const SIGNATURES: [RegExp, string][] = [
  [/\/wp-(content|includes)\//, "WordPress"],
  [/cdn\.shopify\.com|\/shopify_common\.js/, "Shopify"],
  [/static\.wixstatic\.com|parastorage\.com/, "Wix"],
  [/squarespace\.com|sqspcdn\.com/, "Squarespace"],
  [/website-files\.com|webflow\.[a-z0-9.]*js/, "Webflow"],
  [/\/_next\/static\//, "Next.js"],
  [/\/_nuxt\//, "Nuxt"],
  [/\/sites\/(default|all)\/(files|modules|themes)\//, "Drupal"],
  [/googletagmanager\.com\/gtm\.js/, "Google Tag Manager"],
  [/googletagmanager\.com\/gtag\/js|google-analytics\.com\//, "Google Analytics"],
  [/js\.hs-scripts\.com|js\.hsforms\.net|js\.hs-analytics\.net/, "HubSpot"],
  [/cdn\.segment\.com/, "Segment"],
  [/static\.hotjar\.com/, "Hotjar"],
  [/plausible\.io\/js/, "Plausible"],
  [/static\.cloudflareinsights\.com/, "Cloudflare Web Analytics"],
  [/connect\.facebook\.net/, "Meta Pixel"],
  [/snap\.licdn\.com/, "LinkedIn Insight Tag"],
  [/widget\.intercom\.io|js\.intercomcdn\.com/, "Intercom"],
  [/js\.driftt\.com/, "Drift"],
  [/js\.stripe\.com/, "Stripe"],
  [/cdn\.cookielaw\.org|optanon/, "OneTrust"],
  [/www\.google\.com\/recaptcha|recaptcha\/api\.js/, "reCAPTCHA"],
  [/jquery([.-][\d.]+)?(\.min)?\.js|code\.jquery\.com/, "jQuery"],
  [/bootstrap([.-][\d.]+)?(\.bundle)?(\.min)?\.(js|css)/, "Bootstrap"],
  [/unpkg\.com\/react|react(-dom)?(\.production)?(\.min)?\.js/, "React"],
];

/** "WordPress 6.5.2" → "WordPress"; "Hugo 0.120.0" → "Hugo". */
const productOf = (generator: string) => generator.replace(/\s+v?\d[\w.-]*.*$/, "").trim();

/** Platform and tool names from the generator meta tag and the page's script and stylesheet URLs. */
export function techHints(generator: string | undefined, urls: string[]): string[] {
  const found = new Set<string>();
  if (generator) found.add(productOf(generator));
  for (const url of urls) {
    for (const [pattern, name] of SIGNATURES) {
      if (pattern.test(url)) found.add(name);
    }
  }
  return [...found].filter(Boolean);
}
