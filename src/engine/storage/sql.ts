// SQL literal quoting for the few predicates the engine builds itself (ids in IN lists).

/** A SQL string literal: single quotes doubled, so the value can never end the literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `('a', 'b')` for an IN predicate; callers never pass an empty list. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(', ')})`;
}
