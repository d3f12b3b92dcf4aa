// SQL literal quoting for the few predicates the engine builds itself (ids in IN lists).

/** A SQL string literal: DataFusion's only escape inside '...' is a doubled quote, so a value can never end it. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `('a', 'b')` for an IN predicate; callers never pass an empty list. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(', ')})`;
}

/**
 * Integers within ±2^53 as written; anything else in exponent form, which DataFusion always reads as a double
 * (a long integer literal such as 1000000000000000000000 would overflow Int64 and compare wrongly).
 */
export function sqlNumber(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : value.toExponential();
}

/** A millisecond timestamp literal comparable with the Timestamp(ms) columns. */
export function timestampLiteral(epochMs: number): string {
  return `arrow_cast(${sqlNumber(epochMs)}, 'Timestamp(Millisecond, None)')`;
}
