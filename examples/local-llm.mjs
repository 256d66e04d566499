// A tiny, deterministic stand-in for a local OpenAI-compatible model server (Ollama, vLLM, LM Studio), so the
// README's LLM walk-through runs offline. Plain Node, no dependencies:
//
//   PORT=8791 node examples/local-llm.mjs
//
// It speaks POST /v1/chat/completions with `response_format` json_schema (or json_object, with the schema in the
// system prompt) and answers `usage` like the real servers. Its "knowledge" is made up: a value for each field of
// the schema, derived from the entity data in the prompt (a field the data already has keeps its value), the same
// for every model, except that models with "quick" in their name round some numbers differently, so two models
// agree on most fields and disagree on a few, which is what fusion is for. It also answers Dossier's own
// classification and arbitration schemas sensibly. GET /v1/models lists the models it has been asked for.
import { createHash } from "node:crypto";
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 8791);
const seen = new Set(["careful", "quick"]);

const hash = (...parts) => Number.parseInt(createHash("sha256").update(parts.join("\u0001")).digest("hex").slice(0, 8), 16);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const typeOf = (node) => (Array.isArray(node.type) ? node.type.find((t) => t !== "null") : node.type);
const WORDS = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware", "Adatum", "Woodgrove"];

/** The entity data: the first delimited block of the user message, as JSON when it is. */
function entityOf(messages) {
  const user = messages.find((m) => m.role === "user")?.content ?? "";
  const block = /<<<DATA (\w+)>>>\n?([\s\S]*?)\n?<<<END \1>>>/.exec(String(user));
  try {
    return block ? JSON.parse(block[2]) : {};
  } catch {
    return {};
  }
}

function valueFor(node, path, entity, quick) {
  const name = path.split(".").pop() ?? "";
  const known = isObject(entity) ? Object.entries(entity).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] : undefined;
  const h = hash(JSON.stringify(entity), path);
  if (Array.isArray(node.enum)) return node.enum.filter((v) => v !== null)[h % node.enum.filter((v) => v !== null).length];
  switch (typeOf(node)) {
    case "object":
      return objectFor(node, path, entity, quick);
    case "array":
      return [0, 1].map((i) => valueFor(isObject(node.items) ? node.items : { type: "string" }, `${path}[${i}]`, entity, quick));
    case "boolean":
      return typeof known === "boolean" ? known : h % 2 === 0;
    case "integer": {
      if (Number.isInteger(known)) return known;
      const min = node.minimum ?? 1900;
      const max = node.maximum ?? 2020;
      return min + (h % (max - min + 1));
    }
    case "number": {
      if (typeof known === "number") return known;
      const value = Math.round((h % 100_000) / 10) / 10;
      return quick && h % 3 === 0 ? Math.round(value * 1.2 * 10) / 10 : value;
    }
    default:
      if (typeof known === "string") return known;
      if (node.format === "uri") return `https://www.${String(entity.name ?? "example").toLowerCase().replace(/\W+/g, "")}.example`;
      if (node.format === "date") return `${2000 + (h % 24)}-0${1 + (h % 9)}-1${h % 9}`;
      return `${WORDS[h % WORDS.length]} ${WORDS[(h >> 3) % WORDS.length]}`;
  }
}

function objectFor(node, prefix, entity, quick) {
  const out = {};
  for (const [key, child] of Object.entries(isObject(node.properties) ? node.properties : {})) {
    if (isObject(child)) out[key] = valueFor(child, prefix ? `${prefix}.${key}` : key, entity, quick);
  }
  return out;
}

/** Dossier's arbitration schema: pick the first candidate for each field. Its classification schema: a match. */
function answerFor(schema, entity, quick) {
  const decisions = schema.properties?.decisions;
  if (decisions) {
    const paths = decisions.items?.properties?.path?.enum ?? [];
    return { decisions: paths.filter(Boolean).map((path) => ({ path, choice: "A", reasoning: "The first candidate fits the entity best." })) };
  }
  if (schema.properties?.status?.enum?.includes("mismatch")) {
    return { status: "match", confidence: 0.9, entityDescription: `An entity named ${entity.name ?? "?"}`, reasoning: "The data fits the expected type.", alternativeInterpretations: [] };
  }
  return objectFor(schema, "", entity, quick);
}

function schemaOf(body, system) {
  const declared = body.response_format?.json_schema?.schema;
  if (declared) return declared;
  const block = /```json\s*([\s\S]*?)```/.exec(system)?.[1];
  return block ? JSON.parse(block) : { type: "object", properties: {} };
}

const tokens = (text) => Math.ceil(Buffer.byteLength(text, "utf8") / 4);

function complete(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const system = String(messages.find((m) => m.role === "system")?.content ?? "");
  const model = String(body.model ?? "local");
  seen.add(model);
  const content = JSON.stringify(answerFor(schemaOf(body, system), entityOf(messages), model.includes("quick")));
  const prompt = tokens(messages.map((m) => String(m.content ?? "")).join("\n"));
  return {
    id: `chatcmpl-local-${hash(content, model).toString(36)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: prompt, completion_tokens: tokens(content), total_tokens: prompt + tokens(content) },
  };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const send = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === "GET" && req.url === "/v1/models") return send(200, { object: "list", data: [...seen].map((id) => ({ id, object: "model", owned_by: "local" })) });
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") return send(404, { error: { message: `No route ${req.method} ${req.url}`, type: "invalid_request_error" } });
      send(200, complete(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")));
    } catch (error) {
      send(400, { error: { message: String(error), type: "invalid_request_error" } });
    }
  });
});

server.listen(port, "127.0.0.1", () => console.log(`local LLM stand-in on http://127.0.0.1:${port}/v1`));
