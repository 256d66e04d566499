/** What a page says about the organization or person behind it in its schema.org JSON-LD. */
export interface JsonLdSubject {
  kind: "organization" | "person";
  type: string;
  name: string | null;
  legalName: string | null;
  url: string | null;
  logo: string | null;
  image: string | null;
  description: string | null;
  email: string | null;
  telephone: string | null;
  jobTitle: string | null;
  address: PostalAddress | null;
  sameAs: string[];
}

export interface PostalAddress {
  streetAddress?: string;
  addressLocality?: string;
  addressRegion?: string;
  postalCode?: string;
  addressCountry?: string;
  /** When the page gives the address as one line of text. */
  text?: string;
}

type Node = Record<string, unknown>;

const ORGANIZATION_TYPES = new Set(["Organization", "Corporation", "LocalBusiness", "NGO", "OnlineBusiness", "OnlineStore", "Store", "ProfessionalService"]);
const isObject = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

function typesOf(node: Node): string[] {
  const t = node["@type"];
  const list = Array.isArray(t) ? t : [t];
  return list.filter((x): x is string => typeof x === "string").map((x) => x.replace(/^https?:\/\/schema\.org\//, ""));
}

function kindOf(node: Node): JsonLdSubject["kind"] | null {
  const types = typesOf(node);
  if (types.includes("Person")) return "person";
  if (types.some((t) => ORGANIZATION_TYPES.has(t) || t.endsWith("Organization") || t.endsWith("Business"))) return "organization";
  return null;
}

/** A string value, or the `url`/`name` of an object value (logo: ImageObject, addressCountry: Country). */
function text(value: unknown): string | null {
  // A loop, not recursion: pages can nest objects as deep as they like.
  for (let v = value, hops = 0; hops < 8; hops++) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === "string") return first.trim() || null;
    if (!isObject(first)) return null;
    v = first.url ?? first.contentUrl ?? first.name;
  }
  return null;
}

function addressOf(value: unknown): PostalAddress | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === "string") return first.trim() ? { text: first.trim() } : null;
  if (!isObject(first)) return null;
  const address: PostalAddress = {};
  for (const key of ["streetAddress", "addressLocality", "addressRegion", "postalCode", "addressCountry"] as const) {
    const v = text(first[key]);
    if (v) address[key] = v;
  }
  return Object.keys(address).length > 0 ? address : null;
}

/** Every node of a JSON-LD document: top-level arrays, `@graph`, and nested objects (publisher, author …). */
function* nodesOf(value: unknown, depth = 0): Generator<Node> {
  if (depth > 5) return;
  if (Array.isArray(value)) {
    for (const item of value) yield* nodesOf(item, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  yield value;
  for (const [key, child] of Object.entries(value)) {
    if (key !== "@context" && typeof child === "object") yield* nodesOf(child, depth + 1);
  }
}

function subjectOf(node: Node, kind: JsonLdSubject["kind"]): JsonLdSubject {
  const sameAs = (Array.isArray(node.sameAs) ? node.sameAs : [node.sameAs]).filter((s): s is string => typeof s === "string");
  return {
    kind,
    type: typesOf(node)[0] ?? kind,
    name: text(node.name),
    legalName: text(node.legalName),
    url: text(node.url),
    logo: text(node.logo),
    image: text(node.image),
    description: text(node.description),
    email: text(node.email)?.replace(/^mailto:/i, "") ?? null,
    telephone: text(node.telephone),
    jobTitle: text(node.jobTitle),
    address: addressOf(node.address),
    sameAs,
  };
}

/**
 * The first Organization-like and the first Person node with a name across a page's JSON-LD blocks.
 * Blocks that are not valid JSON are skipped.
 */
export function jsonLdSubjects(blocks: string[]): { organization: JsonLdSubject | null; person: JsonLdSubject | null } {
  let organization: JsonLdSubject | null = null;
  let person: JsonLdSubject | null = null;
  for (const block of blocks) {
    let doc: unknown;
    try {
      doc = JSON.parse(block);
    } catch {
      continue;
    }
    for (const node of nodesOf(doc)) {
      const kind = kindOf(node);
      if (!kind || !text(node.name)) continue;
      if (kind === "organization") organization ??= subjectOf(node, kind);
      else person ??= subjectOf(node, kind);
    }
  }
  return { organization, person };
}
