import type { Db } from "./client";

/** D1 allows 100 bound parameters per statement: IN lists are read in chunks of this many. */
export const IN_LIST_LIMIT = 90;

interface ToSql {
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * drizzle's raw `sql` cannot go into `db.batch` on D1, so statements that must land together with raw SQL are
 * batched as D1 prepared statements: builders are converted here, raw SQL is written with `?` parameters.
 */
export function prepared(db: Db, builder: ToSql): D1PreparedStatement {
  const { sql, params } = builder.toSQL();
  return db.$client.prepare(sql).bind(...params);
}

export function rawStatement(db: Db, sql: string, ...params: unknown[]): D1PreparedStatement {
  return db.$client.prepare(sql).bind(...params);
}

export async function runStatements(db: Db, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  return statements.length === 0 ? [] : db.$client.batch(statements);
}
