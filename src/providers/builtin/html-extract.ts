/** What HTMLRewriter collects from a page, before any interpretation. */
export interface RawPage {
  lang: string | null;
  title: string | null;
  /** `<meta>` by lower-cased name or property (first one wins): description, og:title, twitter:site, generator … */
  meta: Record<string, string>;
  canonical: string | null;
  links: string[];
  scriptSrcs: string[];
  stylesheets: string[];
  jsonLd: string[];
  /** Visible text (script, style and template contents left out), whitespace-collapsed. */
  text: string;
  bytesRead: number;
  /** True when the page was longer than the read limit and only its beginning was parsed. */
  truncated: boolean;
}

const MAX_TEXT_CHARS = 256 * 1024;
const MAX_LINKS = 2000;
const MAX_JSON_LD_CHARS = 256 * 1024;
const MAX_META = 200;
const MAX_JSON_LD_BLOCKS = 20;

/** Passes at most `maxBytes` of a body through and cancels the rest of the download. */
function capped(body: ReadableStream<Uint8Array>, maxBytes: number) {
  const state = { bytes: 0, truncated: false };
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      const room = maxBytes - state.bytes;
      if (value.byteLength > room) {
        if (room > 0) controller.enqueue(value.subarray(0, room));
        state.bytes = maxBytes;
        state.truncated = true;
        await reader.cancel("read limit reached");
        controller.close();
        return;
      }
      state.bytes += value.byteLength;
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, state };
}

/** Reads up to `maxBytes` of an HTML response and collects what a profile is built from. */
export async function extractPage(res: Response, maxBytes: number): Promise<RawPage> {
  const page: RawPage = {
    lang: null,
    title: null,
    meta: {},
    canonical: null,
    links: [],
    scriptSrcs: [],
    stylesheets: [],
    jsonLd: [],
    text: "",
    bytesRead: 0,
    truncated: false,
  };
  if (!res.body) return page;
  const { stream, state } = capped(res.body, maxBytes);
  let hidden = 0;
  let title: string | null = null;
  let jsonLd: string | null = null;
  const text: string[] = [];
  let textChars = 0;
  const hide = (el: Element) => {
    hidden++;
    el.onEndTag(() => {
      hidden--;
    });
  };

  const rewriter = new HTMLRewriter()
    .on("html", { element: (el) => void (page.lang ??= el.getAttribute("lang")?.trim() || null) })
    .on("title", {
      element(el) {
        if (hidden > 0 || page.title !== null) return;
        title = "";
        el.onEndTag(() => {
          page.title = title?.replace(/\s+/g, " ").trim() || null;
          title = null;
        });
      },
      text: (chunk) => void (title !== null && (title += chunk.text)),
    })
    .on("meta", {
      element(el) {
        const key = (el.getAttribute("property") ?? el.getAttribute("name") ?? el.getAttribute("itemprop"))?.trim().toLowerCase();
        const content = el.getAttribute("content")?.trim();
        if (key && content && !(key in page.meta) && Object.keys(page.meta).length < MAX_META) page.meta[key] = content;
      },
    })
    .on("link[href]", {
      element(el) {
        const rel = (el.getAttribute("rel") ?? "").toLowerCase().split(/\s+/);
        const href = el.getAttribute("href")?.trim();
        if (!href) return;
        if (rel.includes("canonical")) page.canonical ??= href;
        if (rel.includes("stylesheet")) page.stylesheets.push(href);
      },
    })
    .on("a[href]", {
      element(el) {
        const href = el.getAttribute("href")?.trim();
        if (href && page.links.length < MAX_LINKS) page.links.push(href);
      },
    })
    .on("script", {
      element(el) {
        const src = el.getAttribute("src")?.trim();
        if (src) page.scriptSrcs.push(src);
        if (!(el.getAttribute("type") ?? "").toLowerCase().includes("ld+json")) return hide(el);
        // An element has one end-tag handler: this one also does what hide() would.
        hidden++;
        jsonLd = "";
        el.onEndTag(() => {
          hidden--;
          if (jsonLd && page.jsonLd.length < MAX_JSON_LD_BLOCKS) page.jsonLd.push(jsonLd);
          jsonLd = null;
        });
      },
      text(chunk) {
        if (jsonLd !== null && jsonLd.length < MAX_JSON_LD_CHARS) jsonLd += chunk.text;
      },
    })
    .on("style, noscript, template, svg", { element: hide })
    .onDocument({
      text(chunk) {
        if (hidden > 0 || textChars >= MAX_TEXT_CHARS) return;
        text.push(chunk.text);
        textChars += chunk.text.length;
        if (chunk.lastInTextNode) text.push(" ");
      },
    });

  const headers = new Headers({ "content-type": res.headers.get("content-type") ?? "text/html" });
  await rewriter.transform(new Response(stream, { headers })).body?.pipeTo(new WritableStream());
  page.text = text.join("").replace(/\s+/g, " ").trim().slice(0, MAX_TEXT_CHARS);
  page.bytesRead = state.bytes;
  page.truncated = state.truncated;
  return page;
}
