import { mapSchema } from "../../providers/llm/schema-map";
import type { JsonSchema } from "../../providers/llm/types";

/**
 * Expands each `multilingual: true` string property into an object with one string per requested language
 * (`{en: …, fr: …}`, all required), keeping `multilingual: true` on it so fusion can tell translations apart.
 * The first language is the primary one.
 */
export function expandLanguages(schema: JsonSchema, languages: string[]): JsonSchema {
  if (languages.length === 0) return schema;
  return mapSchema(schema, (node, info) => {
    if (node.multilingual !== true || info.path.length === 0) return node;
    const { multilingual: _m, type, description, expertise, identifying, ...text } = node;
    const per = Object.fromEntries(languages.map((lang) => [lang, { ...text, type, description: `${description ?? ""} (in ${lang})`.trim() }]));
    return {
      type: "object",
      ...(description === undefined ? {} : { description: `${description} One value per language.` }),
      ...(expertise === undefined ? {} : { expertise }),
      ...(identifying === undefined ? {} : { identifying }),
      multilingual: true,
      properties: per,
      required: languages,
      additionalProperties: false,
    };
  });
}
