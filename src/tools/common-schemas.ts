// Zod pieces several tools share: KB names, generation numbers, metadata and the structured search filter.
import { z } from 'zod';
import { FILTER_COLUMNS } from '../engine/search/filter.js';
import { suggestKbName } from '../engine/validation.js';

/** Same rule the engine enforces; stating it in the schema lets a model see it before calling. */
export const kbNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
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
  return `${prefix}a filter value is a string, number, boolean or null (equality), an object of operators $eq $ne $in $nin $gt $gte $lt $lte, or (under $and/$or) an array of filters`;
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
  'or "metadata.<key>". A plain value means equality; operators: $eq $ne $in $nin $gt $gte $lt $lte; ' +
  'combine with top-level "$and"/"$or" arrays of filters. ' +
  'Example: {"metadata.lang": "en", "document_id": {"$in": ["guide", "faq"]}, "page_number": {"$gte": 3}}';
