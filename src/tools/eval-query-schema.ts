// Query shapes of compare_generations and set_golden_queries (text + the documents that answer it) and the stored golden set.
import { z } from 'zod';
import type { EvalQuery, GoldenSet } from '../engine/index.js';
import { MAX_EXPECTED_IDS } from '../engine/evaluation/rank-queries.js';
import { strictArguments } from './common-schemas.js';

export const evalQuerySchema = strictArguments(
  {
    query: z.string().min(1).describe('A question or keywords, as an agent would search.'),
    expected_document_ids: z
      .array(z.string().min(1))
      .max(MAX_EXPECTED_IDS)
      .optional()
      .describe('Document ids a good answer comes from; enables recall@k and nDCG@k for this query.'),
  },
  'query field',
);

export type EvalQueryInput = z.infer<typeof evalQuerySchema>;

export function toEvalQuery(input: EvalQueryInput): EvalQuery {
  return {
    text: input.query,
    ...(input.expected_document_ids === undefined ? {} : { expected: input.expected_document_ids }),
  };
}

export function fromEvalQuery(query: EvalQuery): EvalQueryInput {
  return {
    query: query.text,
    ...(query.expected === undefined ? {} : { expected_document_ids: query.expected }),
  };
}

export const goldenSetSchema = z.object({
  kb: z.string(),
  queries: z.array(evalQuerySchema),
  k: z.number().int(),
  tolerance: z.number(),
  revision: z
    .number()
    .int()
    .describe('0 when none is stored; pass it as if_revision to change the set safely.'),
  updated_at: z.string().nullable(),
  gated: z.boolean().describe('True when promote_generation gates by default (queries are stored).'),
});

export function toGoldenSetJson(kb: string, set: GoldenSet | null): z.infer<typeof goldenSetSchema> {
  return {
    kb,
    queries: (set?.queries ?? []).map(fromEvalQuery),
    k: set?.k ?? 10,
    tolerance: set?.tolerance ?? 0.05,
    revision: set?.revision ?? 0,
    updated_at: set ? new Date(set.updatedAt).toISOString() : null,
    gated: (set?.queries.length ?? 0) > 0,
  };
}
