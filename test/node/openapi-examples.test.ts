import SwaggerParser from "@apidevtools/swagger-parser";
import { getExampleFromSchema } from "@scalar/workspace-store/request-example";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { createApp } from "../../src/app";
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "../constants";

/**
 * Every request body example /docs shows must be one the API accepts: the examples the document gives, and the one
 * the reference builds from the schema when it gives none (with the viewer's own generator, @scalar/workspace-store,
 * the version @scalar/api-reference uses). Each is checked against its JSON Schema in the document and against the
 * route's zod validator, which is what answers 400 (formats and refinements the JSON Schema cannot say).
 */
const env = { ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
const METHODS = ["get", "put", "post", "delete", "patch"];

type Schema = Record<string, unknown>;
interface Media {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

const BASE = "https://dossier.test/openapi.json";

/** Points `#/components/schemas/X` at the one schema holding them all (ajv resolves references there). */
const rebased = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', `"${BASE}#/$defs/`)) as T;

type Paths = Record<string, Record<string, { requestBody?: { content?: Record<string, Media> } }>>;

async function documentAndValidators() {
  const app = createApp();
  const res = await app.request("/openapi.json", {}, env);
  expect(res.status).toBe(200);
  const raw = (await res.json()) as { paths: Paths; components: { schemas: Record<string, Schema> } };
  // A recursive schema (a rule's conditions) dereferences into a circle, which the reference's example generator
  // walks but ajv cannot: ajv checks the document's own schemas, references and all.
  const jsonSchemas = new Map<string, Schema>();
  for (const [path, item] of Object.entries(raw.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      if (schema) jsonSchemas.set(`${method} ${path}`, rebased(schema));
    }
  }
  ajv.removeSchema(BASE);
  ajv.addSchema({ $id: BASE, $defs: rebased(raw.components.schemas) });
  const doc = (await SwaggerParser.dereference(structuredClone(raw) as never)) as unknown as { paths: Paths };
  const validators = new Map<string, ZodType>();
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const media = definition.route.request?.body?.content?.["application/json"];
    const body = media && "schema" in media ? media.schema : undefined;
    if (body) validators.set(`${definition.route.method} ${definition.route.path}`, body as ZodType);
  }
  return { doc, validators, jsonSchemas };
}

/** What the reference shows for each JSON request body: the document's examples, else the one built from the schema. */
function shownExamples(media: Media): { name: string; value: unknown }[] {
  const given = [
    ...(media.example === undefined ? [] : [{ name: "example", value: media.example }]),
    ...Object.entries(media.examples ?? {}).map(([name, e]) => ({ name: `examples.${name}`, value: e.value })),
  ];
  const generated = { name: "built from the schema", value: getExampleFromSchema(media.schema as never, { mode: "write" }) };
  return [...given, generated];
}

const ajv = new Ajv2020({ strict: false, allErrors: true });

function problems(example: unknown, schema: Schema, validator: ZodType | undefined): string[] {
  const out: string[] = [];
  if (!ajv.validate(schema, example)) out.push(...(ajv.errors ?? []).map((e) => `JSON Schema: ${e.instancePath || "/"} ${e.message}`));
  if (!validator) out.push("no zod validator found for the route");
  else {
    const parsed = validator.safeParse(example);
    if (!parsed.success) out.push(...parsed.error.issues.map((i) => `zod: ${i.path.join(".") || "/"} ${i.message}`));
  }
  return out;
}

describe("request examples in /openapi.json", () => {
  it("every JSON request body example the reference shows is accepted by its schema and the route's validator", async () => {
    const { doc, validators, jsonSchemas } = await documentAndValidators();
    const failures: string[] = [];
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const media = METHODS.includes(method) ? op.requestBody?.content?.["application/json"] : undefined;
        if (!media?.schema) continue;
        for (const { name, value } of shownExamples(media)) {
          checked++;
          const found = problems(value, jsonSchemas.get(`${method} ${path}`) ?? media.schema, validators.get(`${method} ${path}`));
          if (found.length) failures.push(`${method.toUpperCase()} ${path} (${name}): ${JSON.stringify(value)}\n    ${found.join("\n    ")}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("the check rejects the example the issue found (POST /v1/entities with an empty externalId)", async () => {
    const { validators, jsonSchemas } = await documentAndValidators();
    const schema = jsonSchemas.get("post /v1/entities");
    expect(schema).toBeDefined();
    const bad = { type: "person", externalId: "", attributes: { fullName: "Ada Lovelace" } };
    const found = problems(bad, schema ?? {}, validators.get("post /v1/entities"));
    expect(found.some((p) => p.startsWith("JSON Schema: /externalId"))).toBe(true);
    expect(found.some((p) => p.startsWith("zod: externalId"))).toBe(true);
  });
});
