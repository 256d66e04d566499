import { type OpenApiDocument, type Operation, type SampleOptions, fillPath, jsonBodyOf, pathParams, resourceOf, sampleOf, sampleQuery, withQuery } from "./document";
import { type CallOptions, type Fixture, fixtureValues } from "./fixtures";

export interface PreparedRequest {
  method: string;
  path: string;
  options: CallOptions;
}

/**
 * A request the operation's validation accepts: path parameters from `fixture` (or `params`), the required
 * query parameters and a sample body (or the operation's entry in `bodies`). `headers` carry the credentials.
 */
export function validRequest(
  doc: OpenApiDocument,
  op: Operation,
  fixture: Fixture,
  sample: SampleOptions,
  headers: Record<string, string>,
  params: Record<string, string> = {},
  bodies: Record<string, unknown> = {},
): PreparedRequest {
  const values = Object.fromEntries(pathParams(op).map((p) => [p.name, params[p.name] ?? (fixtureValues(fixture, resourceOf(op.path, p.name))[0] as string)]));
  const path = withQuery(fillPath(op.path, values), sampleQuery(doc, op, sample));
  const json = jsonBodyOf(op);
  if (json) return { method: op.method, path, options: { headers, body: op.id in bodies ? bodies[op.id] : sampleOf(doc, json, sample) } };
  const media = Object.keys(op.raw.requestBody?.content ?? {})[0];
  if (media) return { method: op.method, path, options: { headers: { ...headers, "content-type": media }, rawBody: "x" } };
  return { method: op.method, path, options: { headers } };
}

/** Runs `tasks` with at most `width` in flight. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], width = 8): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await (tasks[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}
