// compare_generations: run the same queries on two generations and diff their results and documents before a promotion.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { callerText } from '../config/engine-error-text.js';
import { MAX_EVAL_K, MAX_EVAL_QUERIES } from '../engine/evaluation/rank-queries.js';
import { SEARCH_MODES } from '../engine/types.js';
import { generationSchema, kbNameSchema, strictArguments } from './common-schemas.js';
import { evalQuerySchema, toEvalQuery } from './eval-query-schema.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'compare_generations';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  base: generationSchema.describe('The generation to compare against, usually the active one.'),
  candidate: generationSchema.describe('The generation to judge, e.g. a rebuilt one not yet promoted.'),
  queries: z
    .array(evalQuerySchema)
    .min(1)
    .max(MAX_EVAL_QUERIES)
    .describe(`Queries to run on both generations (1-${MAX_EVAL_QUERIES}).`),
  k: z.number().int().min(1).max(MAX_EVAL_K).default(10).describe('Results compared per query.'),
  mode: z.enum(SEARCH_MODES).default('hybrid').describe('Search mode for both sides.'),
});

const side = z.object({
  chunk_ids: z.array(z.string()).describe('Top-k chunk ids, best first.'),
  recall: z
    .number()
    .nullable()
    .describe('Share of expected documents in the top k; null without expectations.'),
  ndcg: z
    .number()
    .nullable()
    .describe('nDCG@k over documents (binary relevance); null without expectations.'),
});
const means = z.object({ recall: z.number().nullable(), ndcg: z.number().nullable() });

export const outputSchema = z.object({
  kb: z.string(),
  base: z.number().int(),
  candidate: z.number().int(),
  k: z.number().int(),
  mode: z.enum(SEARCH_MODES),
  queries: z.array(
    z.object({
      query: z.string(),
      expected_document_ids: z.array(z.string()).nullable(),
      overlap: z.number().describe('Chunks in both top-k lists / the longer list (1 when both are empty).'),
      base: side,
      candidate: side,
      rank_changes: z
        .array(
          z.object({
            chunk_id: z.string(),
            document_id: z.string(),
            base_rank: z.number().int().nullable().describe('null: not in the base top k.'),
            candidate_rank: z.number().int().nullable().describe('null: not in the candidate top k.'),
          }),
        )
        .describe('Chunks whose rank differs, best rank first.'),
    }),
  ),
  summary: z.object({
    mean_overlap: z.number(),
    judged_queries: z
      .number()
      .int()
      .describe('Queries with expected documents (the means below are over these).'),
    base: means,
    candidate: means,
  }),
  content: z
    .object({
      added: z.array(z.string()),
      removed: z.array(z.string()),
      changed: z.array(z.string()),
      unchanged: z.number().int(),
    })
    .describe('Documents added, removed and changed in the candidate (by a hash of their chunks).'),
  warnings: z.array(z.string()),
  took_ms: z.number(),
});

export const annotations = {
  title: 'Compare two generations',
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Compare two generations of a knowledge base before promoting one: run the same queries on both and report, per query, how much the top-k results overlap and which chunks moved, entered or left; with expected_document_ids, recall@k and nDCG@k on each side; and which documents the candidate added, removed or changed.

Arguments:
- kb: knowledge base name.
- base: the generation to compare against (usually the active one); candidate: the one to judge (e.g. a building rebuild).
- queries: [{query, expected_document_ids?}], 1-200; each query runs once per generation.
- k (1-100, default 10) and mode (default hybrid) apply to both sides.

Use it after a rebuild and before promote_generation; summary.candidate.recall below summary.base.recall is a regression.`;

export function registerCompareGenerations(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const result = await deps.engine.compareGenerations({
          kb: args.kb,
          base: args.base,
          candidate: args.candidate,
          queries: args.queries.map(toEvalQuery),
          k: args.k,
          mode: args.mode,
          signal: extra.signal,
        });
        const output: z.infer<typeof outputSchema> = {
          kb: result.kb,
          base: result.base,
          candidate: result.candidate,
          k: result.k,
          mode: result.mode,
          queries: result.queries.map((q) => ({
            query: q.query,
            expected_document_ids: q.expected,
            overlap: q.overlap,
            base: { chunk_ids: q.base.chunkIds, recall: q.base.recall, ndcg: q.base.ndcg },
            candidate: {
              chunk_ids: q.candidate.chunkIds,
              recall: q.candidate.recall,
              ndcg: q.candidate.ndcg,
            },
            rank_changes: q.rankChanges.map((c) => ({
              chunk_id: c.chunkId,
              document_id: c.documentId,
              base_rank: c.baseRank,
              candidate_rank: c.candidateRank,
            })),
          })),
          summary: {
            mean_overlap: result.summary.meanOverlap,
            judged_queries: result.summary.judgedQueries,
            base: result.summary.base,
            candidate: result.summary.candidate,
          },
          content: result.content,
          warnings: result.warnings.map(callerText),
          took_ms: result.tookMs,
        };
        return output;
      }),
  );
}
