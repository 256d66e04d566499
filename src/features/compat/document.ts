import type { Settings } from "../../platform/env";
import type { OpenApiDocument } from "../../platform/http/openapi";
import type { ProductSpec } from "./product";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

type Operations = Record<string, { tags?: string[]; "x-compat"?: string } | undefined>;

/**
 * The served document for this deployment: the operations of a product COMPAT_APIS leaves out are removed (so are
 * paths left empty), the Dossier operations a served product's document names get its tag as well, and every served
 * product's tag is listed, after Dossier's own, with its description.
 */
export function compatDocumentEdit(products: readonly ProductSpec[]) {
  return (document: OpenApiDocument, settings: Settings): void => {
    const served = products.filter((p) => settings.COMPAT_APIS.has(p.name));
    const nativeTags = new Map<string, string[]>();
    for (const p of served) for (const id of p.nativeOperations ?? []) nativeTags.set(id, [...(nativeTags.get(id) ?? []), p.tag]);
    const paths = (document.paths ?? {}) as Record<string, Operations>;
    const order: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const product = op["x-compat"];
        if (product !== undefined && !settings.COMPAT_APIS.has(product as ProductSpec["name"])) {
          delete item[method];
          continue;
        }
        const extra = nativeTags.get(`${method} ${path}`);
        if (extra) op.tags = [...(op.tags ?? []), ...extra];
        for (const tag of op.tags ?? []) if (!order.includes(tag)) order.push(tag);
      }
      if (!METHODS.some((m) => item[m])) delete paths[path];
    }
    const compatTags = new Set(products.map((p) => p.tag));
    document.tags = [
      ...order.filter((tag) => !compatTags.has(tag)).map((name) => ({ name })),
      ...served.map((p) => ({ name: p.tag, description: p.description })),
    ];
  };
}
