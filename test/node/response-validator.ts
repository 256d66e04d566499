import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { OpenApiDocument, Operation } from "../contract/document";

const BASE = "https://dossier.test/openapi.json";

/** Points the document's `#/components/schemas/X` references at the one schema holding them all. */
function rebased<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', `"${BASE}#/$defs/`)) as T;
}

export interface ObservedResponse {
  status: number;
  contentType: string | null;
  text: string;
}

/**
 * Checks an answer against what `/openapi.json` says the operation answers, with ajv in the JSON Schema 2020-12
 * dialect that OpenAPI 3.1 uses: the status must be declared, the content type must be one declared for it, and a
 * JSON body must match its schema.
 */
export class ResponseValidator {
  readonly #ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApiDocument) {
    addFormats(this.#ajv);
    this.#ajv.addFormat("binary", true);
    this.#ajv.addKeyword("example");
    this.#ajv.addSchema({ $id: BASE, $defs: rebased(doc.components.schemas) });
  }

  problems(op: Operation, res: ObservedResponse): string[] {
    const declared = op.raw.responses[String(res.status)];
    if (!declared) return [`${op.id}: status ${res.status} is not declared (${Object.keys(op.raw.responses).join(", ")})`];
    const media = Object.keys(declared.content ?? {});
    if (media.length === 0) return res.text === "" ? [] : [`${op.id} ${res.status}: a body where none is declared`];
    const essence = (res.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!media.includes(essence)) return [`${op.id} ${res.status}: content type ${res.contentType} is not one of ${media.join(", ")}`];
    if (essence !== "application/json") return [];
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      return [`${op.id} ${res.status}: not JSON: ${res.text.slice(0, 200)}`];
    }
    const validate = this.#validatorFor(op, String(res.status));
    if (validate(body)) return [];
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message}`);
    return [`${op.id} ${res.status}: body does not match the schema: ${errors.join("; ")} in ${res.text.slice(0, 300)}`];
  }

  #validatorFor(op: Operation, status: string): ValidateFunction {
    const key = `${op.id} ${status}`;
    let validate = this.#compiled.get(key);
    if (!validate) {
      const schema = op.raw.responses[status]?.content?.["application/json"]?.schema ?? {};
      validate = this.#ajv.compile(rebased(schema));
      this.#compiled.set(key, validate);
    }
    return validate;
  }
}

/** The documented operation a concrete request lands on: the template that matches with the most literal segments. */
export function operationFor(operations: Operation[], method: string, path: string): Operation | undefined {
  const pathname = new URL(path, "http://x").pathname;
  const candidates = operations.filter((op) => {
    if (op.method !== method.toUpperCase()) return false;
    const pattern = new RegExp(`^${op.path.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`);
    return pattern.test(pathname);
  });
  const literals = (op: Operation) => op.path.split("/").filter((s) => s && !s.startsWith("{")).length;
  return candidates.sort((a, b) => literals(b) - literals(a))[0];
}
