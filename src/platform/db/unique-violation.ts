/** D1 reports a unique-index conflict only through the SQLite message text. */
export const isUniqueViolation = (error: unknown) => String((error as Error)?.message ?? error).includes("UNIQUE constraint failed");
