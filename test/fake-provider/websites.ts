import type { FakeAnswer } from "./registry";
import { registerFakeRoute } from "./registry";

/**
 * Websites for `web_profile`, under /websites/…: a company page with everything the extractor reads, a person's
 * portfolio, a redirect chain (`chain/N` redirects N times before the company page), an oversized page, redirects
 * to private and metadata addresses, and pages that are not HTML, missing, forbidden or empty.
 */
const html = (body: string, status = 200): FakeAnswer => ({ status, headers: { "content-type": "text/html; charset=utf-8" }, body });
const redirect = (location: string): FakeAnswer => ({ status: 302, headers: { location }, body: "" });

const ACME = `<!doctype html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>Acme Widgets &amp; Co — Industrial widgets</title>
  <meta name="description" content="Acme makes widgets for industry &amp; trade.">
  <meta property="og:title" content="Acme Widgets">
  <meta property="og:site_name" content="Acme Widgets">
  <meta property="og:description" content="Widgets, made well.">
  <meta property="og:image" content="https://acme-widgets.com/img/og.png">
  <meta name="twitter:card" content="summary_large_image">
  <meta name="twitter:site" content="@acmewidgets">
  <meta name="generator" content="WordPress 6.5.2">
  <link rel="canonical" href="/about/">
  <link rel="stylesheet" href="/wp-content/themes/acme/style.css">
  <script src="https://www.googletagmanager.com/gtm.js?id=GTM-TEST"></script>
  <script src="https://js.hs-scripts.com/123456.js" async></script>
  <script type="application/ld+json">
  {"@context":"https://schema.org","@graph":[
    {"@type":"WebSite","name":"Acme website","url":"https://acme-widgets.com/"},
    {"@type":"Organization","name":"Acme Widgets Ltd","legalName":"Acme Widgets Limited",
     "logo":{"@type":"ImageObject","url":"/img/logo.png"},
     "address":{"@type":"PostalAddress","streetAddress":"1 Widget Way","addressLocality":"London","postalCode":"EC1A 1BB","addressCountry":"GB"},
     "telephone":"+44 20 7946 0018",
     "sameAs":["https://www.youtube.com/@acmewidgets","https://www.linkedin.com/company/acme-widgets"]}
  ]}
  </script>
  <script type="application/ld+json">{ this is not json </script>
  <style>.x { color: red } /* styled@acme-widgets.com */</style>
</head>
<body>
  <nav>
    <a href="https://twitter.com/intent/tweet?text=widgets">Share on X</a>
    <a href="https://www.facebook.com/sharer.php?u=https://acme-widgets.com">Share</a>
    <a href="https://twitter.com/acmewidgets">Twitter</a>
    <a href="https://github.com/acme-widgets">GitHub</a>
    <a href="https://www.facebook.com/acmewidgets/">Facebook</a>
    <a href="https://www.instagram.com/acme.widgets/">Instagram</a>
    <a href="mailto:sales@acme-widgets.com?subject=Hello">Email sales</a>
    <a href="tel:+44-20-7946-0000">Call us</a>
  </nav>
  <p>Write to press@acme-widgets.com or call our London office on 020 7946 0123.</p>
  <p>Our retina logo is logo@2x.png, and this is not a phone: 12345.</p>
  <script>var hidden = "scripted@acme-widgets.com";</script>
</body>
</html>`;

const PORTFOLIO = `<!doctype html>
<html lang="de">
<head>
  <title>Zoë Müller – Engineer</title>
  <meta property="og:description" content="I build distributed systems.">
  <script type="application/ld+json">
  {"@context":"https://schema.org","@type":"Person","name":"Zoë Müller","jobTitle":"Staff Engineer","image":"/me.jpg",
   "worksFor":{"@type":"Organization","name":"Initech"},
   "sameAs":["https://github.com/zoemuller","https://www.linkedin.com/in/zoe-muller/"]}
  </script>
</head>
<body><p>Mail: zoe@zoemuller.dev · Mobil: 0151 23456789</p></body>
</html>`;

let big: string | undefined;
/** 3 MiB: a description up front, a GitHub link 2.5 MiB in, past the 2 MiB read limit. */
function bigPage(): string {
  if (!big) {
    const filler = "<p>filler filler filler filler filler filler filler filler</p>\n".repeat(Math.ceil((2.5 * 1024 * 1024) / 62));
    big = `<!doctype html><html><head><title>Big page</title><meta name="description" content="A very long page."></head><body>${filler}<a href="https://github.com/too-far">hidden</a>${filler.slice(0, 512 * 1024)}</body></html>`;
  }
  return big;
}

registerFakeRoute("websites", (_req, _body, url) => {
  const [, , page = "", arg = ""] = url.pathname.split("/");
  switch (page) {
    case "acme":
      return html(ACME);
    case "portfolio":
      return html(PORTFOLIO);
    case "chain": {
      const left = Number(arg);
      return left > 0 ? redirect(`/websites/chain/${left - 1}`) : html(ACME);
    }
    case "big":
      return html(bigPage());
    case "to-private":
      return redirect("http://10.0.0.1/admin");
    case "to-metadata":
      return redirect("http://169.254.169.254/latest/meta-data/");
    case "pdf":
      return { status: 200, headers: { "content-type": "application/pdf" }, body: "%PDF-1.4" };
    case "gone":
      return html("<html><body>Not found</body></html>", 404);
    case "forbidden":
      return html("<html><body>Forbidden</body></html>", 403);
    case "empty":
      return html("<html><head></head><body></body></html>");
    default:
      return undefined;
  }
});
