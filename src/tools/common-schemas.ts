// Zod pieces several tools share: KB names, generation numbers, metadata and the structured search filter.
import { z } from 'zod';
import { FILTER_COLUMNS } from '../engine/search/filter.js';
import { KB_NAME_PATTERN, suggestKbName } from '../engine/validation.js';

/** Same rule the engine enforces; stating it in the schema lets a model see it before calling. */
export const kbNameSchema = z
  .string()
  .regex(KB_NAME_PATTERN, {
    error: (issue) => {
      const suggestion = typeof issue.input === 'string' ? suggestKbName(issue.input) : undefined;
      return (
        'kb must be 1-64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit' +
        (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`)
      );
    },
  })
  .describe('Knowledge base name: 1-64 chars of a-z, 0-9, "_", "-", e.g. "product-docs".');

export const generationSchema = z.number().int().min(1).describe('Generation number (1, 2, 3…).');

/**
 * Nesting beyond which arguments are refused before zod (which recurses) or the engine looks at them: a
 * 100,000-deep filter overflowed the stack. Far above the engine's own limits (filters 6, metadata 8 by
 * default), which then say precisely what is too deep.
 */
export const MAX_ARGUMENT_DEPTH = 64;

/**
 * Walks `value` without recursion and reports an own `__proto__` key (JSON.parse makes one; zod's record
 * silently drops it) or nesting deeper than MAX_ARGUMENT_DEPTH, whichever comes first.
 */
function shapeProblem(value: unknown): 'proto' | 'depth' | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [next, depth] = stack.pop()!;
    if (next === null || typeof next !== 'object') continue;
    if (depth > MAX_ARGUMENT_DEPTH) return 'depth';
    if (Object.prototype.hasOwnProperty.call(next, '__proto__')) return 'proto';
    for (const child of Object.values(next)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** Wraps `schema` so the raw input is checked by shapeProblem first; `what` names it in the message. */
function guarded<S extends z.ZodType>(schema: S, what: 'metadata' | 'filter') {
  return z.preprocess((value, ctx) => {
    const problem = shapeProblem(value);
    if (problem === 'proto') {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message:
          what === 'metadata'
            ? 'metadata key "__proto__" is reserved: rename it'
            : 'filter key "__proto__" is not a filter key (it would be dropped and the search run unfiltered)',
      });
      return {}; // nothing more to say about it, and nothing for zod to recurse into
    } else if (problem === 'depth') {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `${what} is nested deeper than ${MAX_ARGUMENT_DEPTH} levels; flatten it`,
      });
      return {};
    }
    return value;
  }, schema);
}

/**
 * Arbitrary JSON object; the engine checks its size and depth against the configured limits. zod's record
 * silently drops a `__proto__` key, so it is refused here, on the raw input, before zod gets to drop it.
 */
export const metadataSchema = guarded(z.record(z.string(), z.json()), 'metadata').describe(
  'JSON object of your own fields, filterable as "metadata.<key>", e.g. {"lang": "en", "tags": ["setup"]}.',
);

const filterScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const filterOperators = z
  .object({
    $eq: filterScalar.optional(),
    $ne: filterScalar.optional(),
    $in: z.array(filterScalar).optional(),
    $nin: z.array(filterScalar).optional(),
    $gt: z.union([z.string(), z.number()]).optional(),
    $gte: z.union([z.string(), z.number()]).optional(),
    $lt: z.union([z.string(), z.number()]).optional(),
    $lte: z.union([z.string(), z.number()]).optional(),
    $prefix: z.string().optional(),
    $contains: z.string().optional(),
  })
  .strict();

/** Structural shape only; which keys exist and how deep it may nest is the engine's call (clear errors). */
export interface FilterInput {
  [field: string]: z.infer<typeof filterScalar> | z.infer<typeof filterOperators> | FilterInput[];
}

/** The SDK shows only the union's own message, so it names the offending operator and the accepted forms. */
function filterValueError(issue: { errors?: unknown }): string {
  const nested = (Array.isArray(issue.errors) ? issue.errors.flat() : []) as Array<{
    code?: string;
    keys?: string[];
  }>;
  const unknown = nested.find((i) => i.code === 'unrecognized_keys')?.keys ?? [];
  const prefix = unknown.length > 0 ? `unknown operator ${unknown.join(', ')}; ` : '';
  return `${prefix}a filter value is a string, number, boolean or null (equality), an object of operators $eq $ne $in $nin $gt $gte $lt $lte $prefix $contains, or (under $and/$or) an array of filters`;
}

const filterShape: z.ZodType<FilterInput> = z.lazy(() =>
  z.record(
    z.string(),
    z.union([filterScalar, filterOperators, z.array(filterShape)], { error: filterValueError }),
  ),
);

/** Checked raw first: zod drops a `__proto__` key (the search would run unfiltered) and recurses on depth. */
export const filterSchema = guarded(filterShape, 'filter');

export const FILTER_HELP =
  `Keys: ${Object.keys(FILTER_COLUMNS).join(', ')}, ` +
  'or "metadata.<key>". A plain value means equality; operators: $eq $ne $in $nin $gt $gte $lt $lte, ' +
  'and for strings $prefix (e.g. {"source_path": {"$prefix": "docs/api/"}}) and $contains (case-sensitive); ' +
  'combine with top-level "$and"/"$or" arrays of filters. ' +
  'Example: {"metadata.lang": "en", "document_id": {"$in": ["guide", "faq"]}, "page_number": {"$gte": 3}}';

/** Names agents commonly use for an argument, mapped to ours: a refusal suggests the right one. */
const ARGUMENT_ALIASES: Readonly<Record<string, string>> = {
  top_k: 'limit',
  topk: 'limit',
  topK: 'limit',
  k: 'limit',
  n: 'limit',
  max_results: 'limit',
  num_results: 'limit',
  q: 'query',
  text: 'query',
  search: 'query',
  knowledge_base: 'kb',
  kb_name: 'kb',
  collection: 'kb',
  index: 'kb',
  filters: 'filter',
  where: 'filter',
  id: 'chunk_id',
  doc_id: 'document_id',
  token_budget: 'max_tokens',
  max_length: 'max_tokens',
};

/** The valid name an unknown one most likely meant: a known alias, else the closest by edit distance (≤ 2). */
export function suggestArgument(unknown: string, valid: readonly string[]): string | undefined {
  const alias = ARGUMENT_ALIASES[unknown];
  if (alias !== undefined && valid.includes(alias)) return alias;
  const lower = unknown.toLowerCase().replace(/-/g, '_');
  let best: { name: string; distance: number } | undefined;
  for (const name of valid) {
    const distance = editDistance(lower, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** A caller's key in a message: JSON-quoted (control characters escaped), at most 64 characters. */
function quote(key: string): string {
  return JSON.stringify(key.slice(0, 64));
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * A tool's (or a nested object's) arguments as a strict object: an unknown argument is refused, not silently
 * dropped (a dropped `top_k` once returned 10 results to a caller who asked for 3). The message lists the valid
 * names and suggests the likely one. `what` names the object in the message.
 */
export function strictArguments<Shape extends z.ZodRawShape>(shape: Shape, what = 'argument') {
  const valid = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const keys = (issue as { keys?: string[] }).keys ?? [];
      const hints = keys
        .map((key) => [key, suggestArgument(key, valid)] as const)
        .filter(([, suggestion]) => suggestion !== undefined)
        .map(([key, suggestion]) => `${quote(key)} → use "${suggestion}"`);
      return (
        `unknown ${what}${keys.length > 1 ? 's' : ''} ${keys.slice(0, 10).map(quote).join(', ')}${keys.length > 10 ? ` and ${keys.length - 10} more` : ''}` +
        (hints.length > 0 ? ` (${hints.join('; ')})` : '') +
        `; valid ${what}s: ${valid.join(', ')}`
      );
    },
  });
}
