/**
 * A piece of SQL with `?` parameters, spliced into a statement another module builds: the condition a guarded
 * statement lands under (`onlyIf`), or a value the database computes (an amount read from another row).
 */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

export const sqlFragment = (sql: string, ...params: unknown[]): SqlFragment => ({ sql, params });
