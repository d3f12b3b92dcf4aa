// Zod pieces several tools share: KB names, generation numbers, metadata and the structured search filter.
import { z } from 'zod';
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

/** True when `value` or anything nested in it has an own key `__proto__` (JSON.parse makes one). */
function hasProtoKey(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === null || typeof next !== 'object') continue;
    if (Object.prototype.hasOwnProperty.call(next, '__proto__')) return true;
    for (const child of Object.values(next)) stack.push(child);
  }
  return false;
}

/**
 * Arbitrary JSON object; the engine checks its size and depth against the configured limits. zod's record
 * silently drops a `__proto__` key, so it is refused here, on the raw input, before zod gets to drop it.
 */
export const metadataSchema = z
  .preprocess(
    (value, ctx) => {
      if (hasProtoKey(value)) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: 'metadata key "__proto__" is reserved: rename it',
        });
      }
      return value;
    },
    z.record(z.string(), z.json()),
  )
  .describe(
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

export const filterSchema: z.ZodType<FilterInput> = z.lazy(() =>
  z.record(
    z.string(),
    z.union([filterScalar, filterOperators, z.array(filterSchema)], { error: filterValueError }),
  ),
);

export const FILTER_HELP =
  'Keys: chunk_id, document_id, source_path, title, license, version, anchor, page_number, created_at, updated_at, ' +
  'or "metadata.<key>". A plain value means equality; operators: $eq $ne $in $nin $gt $gte $lt $lte; ' +
  'combine with top-level "$and"/"$or" arrays of filters. ' +
  'Example: {"metadata.lang": "en", "document_id": {"$in": ["guide", "faq"]}, "page_number": {"$gte": 3}}';
