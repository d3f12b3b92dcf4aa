// Compiles a structured search filter into a LanceDB (DataFusion SQL) predicate; values only ever become quoted literals.
import { EngineError } from '../errors.js';
import type { EngineLimits, Filter } from '../types.js';
import { sqlNumber, sqlString, timestampLiteral } from '../storage/sql.js';
import { clip, describeValue, isPlainObject } from '../value-description.js';
import { FILTER_COLUMNS, type FilterColumnKind } from '../storage/chunk-fields.js';

/*
 * Semantics (each verified against @lancedb/lancedb 0.39 in test/engine/search/filter.test.ts):
 *
 * Plain columns. Strings compare as strings (ranges are code-point order); `page_number` takes integers in
 * the Int32 range; `created_at`/`updated_at` take epoch milliseconds or ISO-8601 strings (a date alone is
 * UTC midnight, a date-time without an offset is read as UTC).
 *
 * Metadata (`metadata.a.b`) is read with `json_extract(metadata, '$["a"]["b"]')`, which yields the value's JSON
 * text or NULL when a key on the way is missing, and never fails on a row (unlike `json_get_float`/
 * `json_get_string`, which abort the whole query when any row holds an array or object at that key).
 * What a comparison matches depends on the type of the value in the filter, Mongo-style:
 *   - string `s`: a metadata string equal to `s`, or an array with `s` among its elements. Never the number 5
 *     for "5". Ranges compare strings only, by their JSON-escaped text (the same as code-point order unless
 *     the strings contain `"`, `\` or control characters).
 *   - number `n`: a metadata number, compared numerically as a double (5 = 5.0; the string "5" never matches;
 *     arrays are not searched because LanceDB compares array elements as text, where "5" and 5 collide).
 *   - boolean: the metadata value `true`/`false` exactly (not 1, not "true").
 *   - null: the key is missing or holds JSON null.
 * `$ne` / `$nin` are the exact complement of `$eq` / `$in`, so they also match rows where the key is missing.
 * Ranges never match a missing key, an array or a value of another type.
 *
 * Safety. Keys are whitelisted; metadata key segments must match METADATA_KEY_SEGMENT, so a JSON path never
 * contains a quote. Every value is rendered by `sqlString` (single quotes doubled; DataFusion treats
 * backslashes literally) or as a validated finite number, so `x' OR '1'='1` is just a string to compare.
 */

/** Comparison operators an operator object may use. */
export const FILTER_OPERATORS = [
  '$eq',
  '$ne',
  '$in',
  '$nin',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$prefix',
  '$contains',
] as const;
type Operator = (typeof FILTER_OPERATORS)[number];

type ColumnKind = FilterColumnKind;
export { FILTER_COLUMNS };

/** One segment of a `metadata.<key>` path: letters, digits, `_` and `-`, 1 to 64 of them. Also the rule for
 * metadata keys at write time (see validation.ts), so every stored key can be filtered on. */
export const METADATA_KEY_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
/** Most segments in one `metadata.a.b.c` path. */
export const MAX_METADATA_PATH_SEGMENTS = 16;
/** Longest string value (in UTF-16 code units) a filter may compare with. @example 16384 */
export const MAX_FILTER_STRING_LENGTH = 16384;

const ALLOWED_KEYS = `${Object.keys(FILTER_COLUMNS).join(', ')}, or metadata.<key> (dot-separated segments of 1-64 letters, digits, _ or -)`;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/i;
const RANGE_SQL: Record<'$gt' | '$gte' | '$lt' | '$lte', string> = {
  $gt: '>',
  $gte: '>=',
  $lt: '<',
  $lte: '<=',
};

type Target = { kind: ColumnKind; column: string } | { kind: 'metadata'; path: string };
interface Budget {
  nodes: number;
  limits: Pick<EngineLimits, 'maxFilterNodes' | 'maxFilterDepth'>;
}

/**
 * Compiles `filter` into a predicate for `query().where()`, or `undefined` when it has no conditions.
 * Throws EngineError('INVALID_INPUT') naming the offending place (e.g. `filter.$or[1].page_number.$gt`).
 * @example compileFilter({ 'metadata.lang': 'en', page_number: { $gte: 3 } }, DEFAULT_LIMITS)
 */
export function compileFilter(
  filter: Filter,
  limits: Pick<EngineLimits, 'maxFilterNodes' | 'maxFilterDepth'>,
): string | undefined {
  return compileObject(filter, 'filter', 1, { nodes: 0, limits });
}

function compileObject(value: unknown, at: string, depth: number, budget: Budget): string | undefined {
  if (!isPlainObject(value)) {
    throw invalid(at, `expected an object of conditions, got ${describeValue(value)}`);
  }
  if (depth > budget.limits.maxFilterDepth) {
    throw invalid(
      at,
      `$and/$or nested deeper than ${budget.limits.maxFilterDepth} levels; flatten the filter`,
    );
  }
  spend(budget, at);
  const parts: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const childAt = `${at}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(child) || child.length === 0) {
        throw invalid(
          childAt,
          `${key} takes a non-empty array of filter objects, got ${describeValue(child)}`,
        );
      }
      const branches = child.map((branch, i) => {
        const sql = compileObject(branch, `${childAt}[${i}]`, depth + 1, budget);
        if (sql === undefined) {
          throw invalid(`${childAt}[${i}]`, 'empty object; give it at least one condition');
        }
        return sql;
      });
      parts.push(join(branches, key === '$and' ? 'AND' : 'OR'));
    } else if (key.startsWith('$')) {
      throw invalid(
        childAt,
        `unknown top-level operator "${clip(key)}"; only $and and $or combine conditions`,
      );
    } else {
      parts.push(compileCondition(resolveKey(key, childAt), child, childAt, budget));
    }
  }
  return parts.length === 0 ? undefined : join(parts, 'AND');
}

function resolveKey(key: string, at: string): Target {
  if (Object.hasOwn(FILTER_COLUMNS, key)) {
    return { kind: FILTER_COLUMNS[key]!, column: key };
  }
  if (key.startsWith('metadata.')) {
    const segments = key.slice('metadata.'.length).split('.');
    const bad = segments.find((s) => !METADATA_KEY_SEGMENT.test(s));
    if (bad !== undefined || segments.length > MAX_METADATA_PATH_SEGMENTS) {
      throw invalid(
        at,
        `bad metadata key "${clip(key)}": each dot-separated segment must match ${METADATA_KEY_SEGMENT.source}` +
          ` and there may be at most ${MAX_METADATA_PATH_SEGMENTS} segments`,
      );
    }
    return { kind: 'metadata', path: '$' + segments.map((s) => `["${s}"]`).join('') };
  }
  throw invalid(at, `unknown filter key "${clip(key)}"; allowed keys: ${ALLOWED_KEYS}`);
}

function compileCondition(target: Target, value: unknown, at: string, budget: Budget): string {
  spend(budget, at);
  if (!isPlainObject(value)) {
    if (Array.isArray(value)) {
      throw invalid(at, 'arrays are not values; to match any of several use {"$in": [...]}');
    }
    return equals(target, scalar(target, value, at, false));
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    throw invalid(at, `empty operator object; use one of ${FILTER_OPERATORS.join(' ')}`);
  }
  const parts = entries.map(([op, operand]) => {
    const opAt = `${at}.${op}`;
    if (!(FILTER_OPERATORS as readonly string[]).includes(op)) {
      throw invalid(
        opAt,
        `unknown operator "${clip(op)}"; allowed operators: ${FILTER_OPERATORS.join(', ')}` +
          ' (a plain value means $eq; nested objects are addressed as metadata.a.b)',
      );
    }
    spend(budget, opAt);
    return compileOperator(target, op as Operator, operand, opAt, budget);
  });
  return join(parts, 'AND');
}

function compileOperator(target: Target, op: Operator, operand: unknown, at: string, budget: Budget): string {
  switch (op) {
    case '$eq':
      return equals(target, scalar(target, operand, at, false));
    case '$ne':
      return not(equals(target, scalar(target, operand, at, false)));
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || operand.length === 0) {
        throw invalid(at, `${op} takes a non-empty array of values, got ${describeValue(operand)}`);
      }
      const values = operand.map((v, i) => {
        spend(budget, `${at}[${i}]`);
        return scalar(target, v, `${at}[${i}]`, false);
      });
      const any = anyOf(target, values);
      return op === '$in' ? any : not(any);
    }
    case '$prefix':
    case '$contains':
      return textMatch(target, op, textOperand(target, operand, at));
    default:
      return range(target, RANGE_SQL[op], scalar(target, operand, at, true));
  }
}

/** A filter value checked against the key's type: null, or a string/number/boolean ready to render. */
type Scalar = null | string | number | boolean;

function scalar(target: Target, value: unknown, at: string, forRange: boolean): Scalar {
  if (value === null && !forRange) return null;
  const expected = expectedType(target.kind, forRange);
  if (typeof value === 'string') {
    if (value.length > MAX_FILTER_STRING_LENGTH) {
      throw invalid(at, `string longer than ${MAX_FILTER_STRING_LENGTH} characters`);
    }
    // A lone surrogate cannot be stored as UTF-8, so it could never match; say so rather than match nothing.
    if (/\p{Surrogate}/u.test(value)) throw invalid(at, 'string contains an unpaired UTF-16 surrogate');
    if (target.kind === 'timestamp') return parseTimestamp(value, at);
    if (target.kind === 'integer') throw invalid(at, `expected ${expected}, got a string`);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(at, `expected ${expected}, got ${String(value)}`);
    if (target.kind === 'string') throw invalid(at, `expected ${expected}, got a number`);
    if (target.kind === 'integer' && !(Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX)) {
      throw invalid(at, `expected ${expected}, got ${value}`);
    }
    if (target.kind === 'timestamp' && !Number.isSafeInteger(value)) {
      throw invalid(at, `expected ${expected}, got ${value}`);
    }
    return value;
  }
  if (typeof value === 'boolean' && target.kind === 'metadata' && !forRange) return value;
  throw invalid(at, `expected ${expected}, got ${describeValue(value)}`);
}

function expectedType(kind: Target['kind'], forRange: boolean): string {
  const orNull = forRange ? '' : ' or null';
  switch (kind) {
    case 'string':
      return `a string${orNull}`;
    case 'integer':
      return `an integer between ${INT32_MIN} and ${INT32_MAX}${orNull}`;
    case 'timestamp':
      return `epoch milliseconds (integer) or an ISO-8601 string such as 2024-05-01T12:00:00Z${orNull}`;
    case 'metadata':
      return forRange ? 'a string or a finite number' : 'a string, a finite number, a boolean or null';
  }
}

function parseTimestamp(text: string, at: string): number {
  const match = ISO_8601.exec(text);
  let ms = NaN;
  if (match) {
    const [, year, month, day, zone] = match;
    // Date.parse rolls 2024-02-30 over to March 1st; a date that does not exist is a mistake worth reporting.
    const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (calendar.getUTCMonth() === Number(month) - 1 && calendar.getUTCDate() === Number(day)) {
      ms = Date.parse(text.length > 10 && zone === undefined ? `${text}Z` : text);
    }
  }
  if (!Number.isFinite(ms)) {
    throw invalid(
      at,
      `"${clip(text)}" is not an ISO-8601 date or date-time (e.g. 2024-05-01 or 2024-05-01T12:00:00Z)`,
    );
  }
  return ms;
}

function equals(target: Target, value: Scalar): string {
  if (target.kind !== 'metadata') {
    return value === null
      ? `(${target.column} IS NULL)`
      : `(${target.column} = ${literal(target.kind, value)})`;
  }
  const json = `json_extract(metadata, ${sqlString(target.path)})`;
  if (value === null) return `(${json} IS NULL OR ${json} = 'null')`;
  if (typeof value === 'boolean') return `(${json} = '${String(value)}')`;
  if (typeof value === 'number') return `(TRY_CAST(${json} AS DOUBLE) = ${sqlNumber(value)})`;
  const encoded = sqlString(JSON.stringify(value));
  return `(${json} = ${encoded} OR json_array_contains(metadata, ${sqlString(target.path)}, ${encoded}))`;
}

/** `$in`: one IN list for a column (plus IS NULL when null is listed), an OR of equalities for metadata. */
function anyOf(target: Target, values: Scalar[]): string {
  if (target.kind === 'metadata')
    return join(
      values.map((v) => equals(target, v)),
      'OR',
    );
  const listed = values.filter((v) => v !== null);
  const parts =
    listed.length > 0
      ? [`${target.column} IN (${listed.map((v) => literal(target.kind, v)).join(', ')})`]
      : [];
  if (listed.length < values.length) parts.push(`${target.column} IS NULL`);
  return `(${parts.join(' OR ')})`;
}

function range(target: Target, op: string, value: Scalar): string {
  if (target.kind !== 'metadata') return `(${target.column} ${op} ${literal(target.kind, value)})`;
  const json = `json_extract(metadata, ${sqlString(target.path)})`;
  if (typeof value === 'number') return `(TRY_CAST(${json} AS DOUBLE) ${op} ${sqlNumber(value)})`;
  // Strip the JSON quotes; both sides stay JSON-escaped, so they compare like for like.
  const escaped = JSON.stringify(value).slice(1, -1);
  return `(starts_with(${json}, '"') AND regexp_replace(${json}, '^"|"$', '', 'g') ${op} ${sqlString(escaped)})`;
}

/** `$prefix`/`$contains` take a non-empty string and apply to string columns and metadata strings. */
function textOperand(target: Target, operand: unknown, at: string): string {
  if (target.kind !== 'string' && target.kind !== 'metadata') {
    throw invalid(
      at,
      `${at.slice(at.lastIndexOf('.') + 1)} applies to string fields and metadata strings only`,
    );
  }
  if (typeof operand !== 'string' || operand === '') {
    throw invalid(at, `expected a non-empty string, got ${describeValue(operand)}`);
  }
  return scalar(target, operand, at, true) as string;
}

/**
 * starts_with / strpos on the column, never LIKE (whose % and _ would need escaping). Metadata strings are
 * compared as their JSON text: the operand is JSON-escaped the same way, so `"` and `\` match like for like.
 */
function textMatch(target: Target, op: '$prefix' | '$contains', value: string): string {
  if (target.kind !== 'metadata') {
    return op === '$prefix'
      ? `(starts_with(${target.column}, ${sqlString(value)}))`
      : `(strpos(${target.column}, ${sqlString(value)}) > 0)`;
  }
  const json = `json_extract(metadata, ${sqlString(target.path)})`;
  const escaped = JSON.stringify(value).slice(1, -1);
  return op === '$prefix'
    ? `(starts_with(${json}, ${sqlString(`"${escaped}`)}))`
    : `(starts_with(${json}, '"') AND strpos(${json}, ${sqlString(escaped)}) > 0)`;
}

/** `NOT` of an expression that may be NULL on missing data: NULL counts as "does not match". */
function not(predicate: string): string {
  return `(NOT COALESCE(${predicate}, false))`;
}

function literal(kind: ColumnKind, value: Scalar): string {
  if (kind === 'timestamp') return timestampLiteral(value as number);
  return typeof value === 'string' ? sqlString(value) : sqlNumber(value as number);
}

function join(parts: string[], op: 'AND' | 'OR'): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(` ${op} `)})`;
}

function spend(budget: Budget, at: string): void {
  budget.nodes += 1;
  if (budget.nodes > budget.limits.maxFilterNodes) {
    throw invalid(
      at,
      `filter has more than ${budget.limits.maxFilterNodes} nodes (objects, conditions, operators and $in/$nin ` +
        'values each count one); simplify it',
    );
  }
}

function invalid(at: string, problem: string): EngineError {
  return new EngineError('INVALID_INPUT', `invalid filter at ${at}: ${problem}`);
}
