// The query shape compare_generations and set_golden_queries share: text plus the documents a good answer holds.
import { z } from 'zod';
import type { EvalQuery } from '../engine/index.js';

export const evalQuerySchema = z.object({
  query: z.string().min(1).describe('A question or keywords, as an agent would search.'),
  expected_document_ids: z
    .array(z.string().min(1))
    .max(1000)
    .optional()
    .describe('Document ids a good answer comes from; enables recall@k and nDCG@k for this query.'),
});

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
