import type { ZodError } from "zod";

export interface ValidationDetail {
  path: string;
  message: string;
  code: string;
}

/**
 * One entry per failing field, as dotted paths under `prefix`. zod reports unknown keys once at the
 * parent object; we name each key's own path so a client can point at the field it should drop.
 */
export function validationDetails(error: Pick<ZodError, "issues">, prefix: readonly string[] = []): ValidationDetail[] {
  return error.issues.flatMap((issue): ValidationDetail[] => {
    const at = [...prefix, ...issue.path.map(String)];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...at, key].join("."), message: `Unknown field '${key}'`, code: issue.code }));
    }
    return [{ path: at.join("."), message: issue.message, code: issue.code }];
  });
}
