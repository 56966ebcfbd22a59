// A dynamic WHERE for list queries: conditions with positional parameters, joined with AND.
export interface WhereBuilder {
  /** Adds a condition; its `?` becomes the next positional parameter bound to value. */
  add(clause: string, value: unknown): void;
  /** Adds a condition without a parameter. */
  raw(clause: string): void;
  /** `where ...`, or '' when there is no condition. */
  sql(): string;
  readonly params: unknown[];
}

export function createWhere(): WhereBuilder {
  const clauses: string[] = [];
  const params: unknown[] = [];
  return {
    params,
    add(clause, value) {
      params.push(value);
      clauses.push(clause.replace('?', `$${params.length}`));
    },
    raw(clause) {
      clauses.push(clause);
    },
    sql: () => (clauses.length ? `where ${clauses.join(' and ')}` : ''),
  };
}
