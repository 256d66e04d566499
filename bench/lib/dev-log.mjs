import { open, stat } from "node:fs/promises";

/** Lines of the dev server's log that report an error (the worker's console.error, wrangler's own errors). */
const isError = (line) => /"level"\s*:\s*"error"|\[ERROR\]|✘|\berror\b/i.test(line) && !/Request\.cf|getaddrinfo/.test(line);

/**
 * Reads what the dev server logged since the last call, so each scenario can report the worker errors it
 * caused (a retried queue message, a failed settlement) next to its figures.
 */
export function createLogCursor(path) {
  let offset = 0;
  return {
    async skipToEnd() {
      offset = (await stat(path).catch(() => ({ size: 0 }))).size;
    },
    async errorsSince() {
      const size = (await stat(path).catch(() => ({ size: 0 }))).size;
      if (size <= offset) return { errorLines: 0, samples: [] };
      const file = await open(path, "r");
      try {
        const buffer = Buffer.alloc(size - offset);
        await file.read(buffer, 0, buffer.length, offset);
        offset = size;
        const lines = buffer.toString("utf8").split("\n").filter(isError);
        return { errorLines: lines.length, samples: [...new Set(lines.map((l) => l.slice(0, 300)))].slice(0, 5) };
      } finally {
        await file.close();
      }
    },
  };
}
