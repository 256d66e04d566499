import { ApiError } from "../../../platform/errors";
import { snakeCase } from "./snake-case";

/**
 * Runs one of Dossier's own operations and names the fields of its errors the way this client sent them: the
 * request field (a path's first segment, `arbitrationModel`, `recordIds`) in snake_case, what follows it (keys of a
 * schema or an entity) as it was, and `renames` (`entities.0` → `entity_data`) first.
 */
export async function asSent<T>(run: Promise<T>, renames: Record<string, string> = {}): Promise<T> {
  try {
    return await run;
  } catch (error) {
    if (!(error instanceof ApiError) || !Array.isArray(error.details)) throw error;
    const rename = (path: string) => {
      for (const [from, to] of Object.entries(renames)) if (path === from || path.startsWith(`${from}.`)) return `${to}${path.slice(from.length)}`;
      const [first = "", ...rest] = path.split(".");
      return [snakeCase(first), ...rest].join(".");
    };
    const details = error.details.map((d: unknown) =>
      d !== null && typeof d === "object" && typeof (d as { path?: unknown }).path === "string" ? { ...d, path: rename((d as { path: string }).path) } : d,
    );
    throw new ApiError(error.code, error.message, { details, headers: error.headers });
  }
}
