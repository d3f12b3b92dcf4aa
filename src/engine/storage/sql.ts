// SQL literal quoting for the few predicates the engine builds itself (ids in IN lists).

/** A SQL string literal: DataFusion's only escape inside '...' is a doubled quote, so a value can never end it. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `('a', 'b')` for an IN predicate; callers never pass an empty list. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(', ')})`;
}

/** A millisecond timestamp literal comparable with the Timestamp(ms) columns. */
export function timestampLiteral(epochMs: number): string {
  return `arrow_cast(${Math.trunc(epochMs)}, 'Timestamp(Millisecond, None)')`;
}
