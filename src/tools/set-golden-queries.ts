// set_golden_queries: store a KB's evaluation queries; promote_generation then refuses promotions that lose recall.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MAX_EVAL_K, MAX_EVAL_QUERIES, MAX_EXPECTED_IDS } from '../engine/evaluation/rank-queries.js';
import { kbNameSchema, strictArguments } from './common-schemas.js';
import { evalQuerySchema, goldenSetSchema, toEvalQuery, toGoldenSetJson } from './eval-query-schema.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'set_golden_queries';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  queries: z
    .array(
      evalQuerySchema.extend({
        expected_document_ids: z.array(z.string().min(1)).min(1).max(MAX_EXPECTED_IDS),
      }),
    )
    .max(MAX_EVAL_QUERIES)
    .describe(
      `0-${MAX_EVAL_QUERIES} queries, each with the document ids that answer it; [] removes the set (and the gate).`,
    ),
  k: z
    .number()
    .int()
    .min(1)
    .max(MAX_EVAL_K)
    .default(10)
    .describe('Results per query whose documents count for recall.'),
  tolerance: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe('Largest drop of mean recall@k a gated promotion accepts (0.05 = five points).'),
  if_revision: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Write only if the stored set is at this revision (0: none yet), as read from the resource.'),
});

export const outputSchema = goldenSetSchema;

export const annotations = {
  title: 'Set the golden queries of a knowledge base',
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Store a knowledge base's golden queries: questions with the documents that answer them. From then on promote_generation (and ingestion --rebuild) runs them on the candidate and on the active generation and refuses the promotion (GATE_FAILED, with a report) if mean recall@k drops by more than the tolerance.

Arguments:
- kb: knowledge base name (must exist).
- queries: [{query, expected_document_ids}] (0-200); [] removes the set and with it the default gate.
- k (default 10): results per query whose documents count; tolerance (default 0.05): accepted recall drop.
- if_revision: the revision you read from rag-studio://knowledge-bases/{kb}/golden-queries; the write is refused (CONFLICT) if someone changed the set since.

The set is stored durably in the knowledge base's store, shared by every server process on it. With 5 or more queries it also chooses the knowledge base's hybrid fusion weights (recomputed in the background; see fusion_calibration in rag-studio://knowledge-bases/{kb}). Returns the stored set with its new revision.`;

export function registerSetGoldenQueries(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const set = await deps.engine.setGoldenQueries(args.kb, {
          queries: args.queries.map(toEvalQuery),
          k: args.k,
          tolerance: args.tolerance,
          ...(args.if_revision === undefined ? {} : { ifRevision: args.if_revision }),
        });
        return toGoldenSetJson(set.kb, set);
      }),
  );
}
