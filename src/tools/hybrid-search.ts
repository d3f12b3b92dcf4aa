// hybrid_search: the read tool agents call most — BM25 + vector search with filters, fusion and citations.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { callerText } from '../config/engine-error-text.js';
import { MAX_RERANK_CANDIDATES } from '../engine/search/rerank.js';
import { MAX_PER_DOCUMENT, MAX_TOKEN_BUDGET } from '../engine/search/search-request.js';
import {
  CONTENT_MODES,
  FUSION_METHODS,
  GROUP_BY_KEYS,
  SEARCH_MODES,
  TOKEN_COUNTERS,
  WEIGHT_SOURCES,
  type SearchHit,
  type SearchRequest,
} from '../engine/types.js';
import { DEFAULT_LIMITS } from '../engine/validation.js';
import {
  FILTER_HELP,
  filterSchema,
  generationSchema,
  kbNameSchema,
  strictArguments,
} from './common-schemas.js';
import { renderSearchText } from './search-text.js';
import { runTool, withoutNulls, type ToolDeps, type ToolExtra } from './tool-result.js';
import { decodeFloat32Base64 } from './vector-encoding.js';

export const name = 'hybrid_search';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  query: z
    .string()
    .min(1)
    .optional()
    .describe('What to look for, in natural language or keywords. Needed unless `vector` is given.'),
  vector: z
    .array(z.number())
    .min(1)
    .optional()
    .describe("A query embedding of the knowledge base's dimension, for callers that embed themselves."),
  mode: z
    .enum(SEARCH_MODES)
    .default('hybrid')
    .describe(
      'hybrid (default): keywords + meaning, fused. lexical: exact terms, ids, error messages. vector: meaning/paraphrase.',
    ),
  // No .max(): the largest limit is a server setting, which the engine checks with its own clear message.
  limit: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe(
      `Results to return, from 1 to the server's maximum (RAG_STUDIO_MAX_LIMIT, default ${DEFAULT_LIMITS.maxLimit}).`,
    ),
  offset: z.number().int().min(0).default(0).describe('Results to skip, for paging.'),
  filter: filterSchema
    .optional()
    .describe(`Conditions every result must meet (applied before ranking). ${FILTER_HELP}`),
  generation: generationSchema
    .optional()
    .describe('Search this generation instead of the active one, e.g. a building one before promoting it.'),
  fusion: z
    .enum(FUSION_METHODS)
    .optional()
    .describe(
      'How hybrid mode merges the two rankings: calibrated (default: per-KB weights shifted by this query), rrf, weighted, adaptive.',
    ),
  max_tokens: z
    .number()
    .int()
    .min(1)
    .max(MAX_TOKEN_BUDGET)
    .optional()
    .describe(
      'Token budget for all results together: long contents are cut to their best-matching passage first, then the lowest results dropped; `budget` in the output says how many.',
    ),
  content: z
    .enum(CONTENT_MODES)
    .default('full')
    .describe(
      'full (default): whole chunk + snippet; snippet: the snippet only; none: citations and ids only.',
    ),
  group_by: z
    .enum(GROUP_BY_KEYS)
    .optional()
    .describe('"document": the best chunks of distinct documents (at most per_document each).'),
  per_document: z
    .number()
    .int()
    .min(1)
    .max(MAX_PER_DOCUMENT)
    .optional()
    .describe('With group_by "document": chunks per document, default 1.'),
  rerank: z
    .boolean()
    .optional()
    .describe(
      "Reorder the top candidates with the server's cross-encoder (RAG_STUDIO_RERANK_MODEL); needs `query`.",
    ),
  rerank_candidates: z
    .number()
    .int()
    .min(1)
    .max(MAX_RERANK_CANDIDATES)
    .optional()
    .describe(
      'With rerank: how many fused candidates the cross-encoder scores (default max(limit+offset, 30)).',
    ),
  vector_base64: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The query embedding instead as base64 of little-endian float32 values (4 bytes each): a quarter of the JSON size, quicker to send. Not with `vector`.',
    ),
})
  .refine(
    (args) => args.query !== undefined || args.vector !== undefined || args.vector_base64 !== undefined,
    {
      message: 'give `query` (text) or `vector` (an embedding), or both',
      path: ['query'],
    },
  )
  .refine((args) => args.vector === undefined || args.vector_base64 === undefined, {
    message: 'give the embedding once: `vector` or `vector_base64`, not both',
    path: ['vector_base64'],
  })
  // Rules across arguments, stated in the tool's own words (the engine checks them too, in its words).
  .refine((args) => args.per_document === undefined || args.group_by !== undefined, {
    message: 'per_document applies with group_by "document"; add it, or drop per_document',
    path: ['per_document'],
  })
  .refine((args) => args.rerank_candidates === undefined || args.rerank === true, {
    message: '`rerank_candidates` only applies with `rerank: true`',
    path: ['rerank_candidates'],
  })
  .refine((args) => args.rerank !== true || args.query !== undefined, {
    message:
      'rerank scores the query text against each passage: give a non-empty `query` (a `vector` alone cannot be reranked)',
    path: ['query'],
  });

const sideScores = z.object({
  vector: z.number().optional(),
  lexical: z.number().optional(),
  rerank: z.number().optional(),
});

export const outputSchema = z.object({
  kb: z.string(),
  generation: z.number().int(),
  mode: z.enum(SEARCH_MODES).describe('The mode that actually ran (see warnings).'),
  fusion: z.enum(FUSION_METHODS).nullable(),
  fusion_weights: z
    .object({
      vector: z.number(),
      lexical: z.number(),
      source: z.enum(WEIGHT_SOURCES),
      prior: z.object({ vector: z.number(), lexical: z.number() }).optional(),
    })
    .nullable()
    .describe(
      "Hybrid only: the weights this answer was fused with (prior: the KB generation's calibrated weights).",
    ),
  results: z.array(
    z.object({
      chunk_id: z.string(),
      document_id: z.string(),
      score: z.number(),
      scores: sideScores,
      ranks: sideScores,
      content: z.string().optional().describe('Absent with content "snippet"/"none".'),
      trimmed: z.boolean().optional().describe('content was cut to its best-matching passage (max_tokens).'),
      snippet: z.string().optional(),
      metadata: z.record(z.string(), z.json()),
      citation: z.object({
        title: z.string().optional(),
        source_path: z.string().optional(),
        license: z.string().optional(),
        version: z.string().optional(),
        anchor: z.string().optional(),
        page_number: z.number().optional(),
        heading_path: z.array(z.string()).optional(),
        line_start: z.number().optional(),
        line_end: z.number().optional(),
      }),
      duplicates: z
        .array(
          z.object({
            chunk_id: z.string(),
            document_id: z.string(),
            source_path: z.string().optional(),
            anchor: z.string().optional(),
            page_number: z.number().optional(),
          }),
        )
        .optional()
        .describe('Other chunks with exactly this content, not listed separately.'),
    }),
  ),
  budget: z
    .object({
      max_tokens: z.number().int(),
      used_tokens: z.number().int(),
      counted_with: z.enum(TOKEN_COUNTERS),
      trimmed: z.number().int(),
      dropped: z.number().int(),
    })
    .optional()
    .describe('With max_tokens: tokens used, and how many results were trimmed or dropped to fit.'),
  warnings: z.array(z.string()),
  took_ms: z.number(),
  cached: z.boolean(),
});

export const description = `Search a knowledge base and get the best-matching chunks with citations. Use it before answering questions about documents indexed with upsert_chunks, and cite citation.source_path / title / anchor in your answer.

Arguments:
- kb: knowledge base name (the resource rag-studio://knowledge-bases lists them).
- query: what to look for. Needed unless you pass vector.
- vector: your own query embedding of the knowledge base's dimension (or vector_base64: the same as base64 of little-endian float32, a quarter of the size).
- mode: "hybrid" (default) combines keyword (BM25) and meaning (vector) search and suits most questions; "lexical" for exact terms, identifiers, error messages; "vector" for paraphrases and concepts.
- limit (default 10, at most the server's maximum, 100 unless configured) and offset (default 0) page through results.
- filter: ${FILTER_HELP}
- generation: search a specific generation (e.g. a building one before promote_generation); default the active one.
- fusion: how hybrid merges rankings: "calibrated" (default: weights measured on this knowledge base — from its golden queries if it has 5 or more, else from probe queries cut from its chunks — shifted per query by each side's confidence; fusion_weights in the answer shows them), "rrf" (rank-based), "weighted" (normalised scores, equal weights), "adaptive" (weights each side by its confidence only).
- max_tokens: keep the results within this many tokens (long contents are cut to the passage that matches best, then the lowest results dropped; budget says how many).
- content: "full" (default), "snippet" (cheapest way to scan many hits), or "none".
- rerank: true reorders the top candidates (rerank_candidates, default 30) with a cross-encoder that reads query and passage together: better precision for a few hundred ms. Only when the server has RAG_STUDIO_RERANK_MODEL set; results then carry scores.rerank and score is that.
- group_by: "document" to get the best chunks of distinct documents instead of neighbours of one file; per_document (default 1) chunks each.

Chunks with identical content appear once, with the other locations in duplicates. To read around a hit use read_chunks {kb, chunk_id, before, after}; to read a whole document, read_document {kb, document_id}.

Each result has score, per-side scores and ranks, a snippet around the matched terms, the full content, metadata and citation. warnings explains fallbacks, e.g. hybrid ran lexical-only because no embedding model is available.`;

export const annotations = {
  title: 'Search a knowledge base',
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export type SearchOutput = z.infer<typeof outputSchema>;

export function toSearchResult(hit: SearchHit): SearchOutput['results'][number] {
  const c = hit.citation;
  return {
    chunk_id: hit.chunkId,
    document_id: hit.documentId,
    score: hit.score,
    scores: hit.scores,
    ranks: hit.ranks,
    ...(hit.content === null ? {} : { content: hit.content }),
    ...(hit.trimmed ? { trimmed: true } : {}),
    ...(hit.snippet === null ? {} : { snippet: hit.snippet }),
    metadata: hit.metadata,
    citation: withoutNulls({
      title: c.title,
      source_path: c.sourcePath,
      license: c.license,
      version: c.version,
      anchor: c.anchor,
      page_number: c.pageNumber,
      heading_path: c.headingPath,
      line_start: c.lineStart,
      line_end: c.lineEnd,
    }),
    ...(hit.duplicates
      ? {
          duplicates: hit.duplicates.map((d) =>
            withoutNulls({
              chunk_id: d.chunkId,
              document_id: d.documentId,
              source_path: d.sourcePath,
              anchor: d.anchor,
              page_number: d.pageNumber,
            }),
          ) as Array<{ chunk_id: string; document_id: string }>,
        }
      : {}),
  };
}

export function registerHybridSearch(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    {
      title: annotations.title,
      description,
      inputSchema,
      outputSchema,
      annotations,
    },
    (args: z.infer<typeof inputSchema>, extra: ToolExtra) =>
      runTool(
        name,
        deps,
        async () => {
          const request: SearchRequest = {
            kb: args.kb,
            mode: args.mode,
            limit: args.limit,
            offset: args.offset,
            signal: extra.signal,
            ...(args.query === undefined ? {} : { text: args.query }),
            ...(args.vector === undefined ? {} : { vector: args.vector }),
            ...(args.vector_base64 === undefined ? {} : { vector: decodeFloat32Base64(args.vector_base64) }),
            ...(args.filter === undefined ? {} : { filter: args.filter as SearchRequest['filter'] }),
            ...(args.generation === undefined ? {} : { generation: args.generation }),
            ...(args.fusion === undefined ? {} : { fusion: args.fusion }),
            ...(args.max_tokens === undefined ? {} : { maxTokens: args.max_tokens }),
            content: args.content,
            ...(args.group_by === undefined ? {} : { groupBy: args.group_by }),
            ...(args.per_document === undefined ? {} : { perDocument: args.per_document }),
            ...(args.rerank === undefined ? {} : { rerank: args.rerank }),
            ...(args.rerank_candidates === undefined ? {} : { rerankCandidates: args.rerank_candidates }),
          };
          const response = await deps.engine.search(request);
          const output: SearchOutput = {
            kb: response.kb,
            generation: response.generation,
            mode: response.mode,
            fusion: response.fusion,
            fusion_weights: response.fusionWeights,
            results: response.results.map(toSearchResult),
            ...(response.budget
              ? {
                  budget: {
                    max_tokens: response.budget.maxTokens,
                    used_tokens: response.budget.usedTokens,
                    counted_with: response.budget.countedWith,
                    trimmed: response.budget.trimmed,
                    dropped: response.budget.dropped,
                  },
                }
              : {}),
            warnings: response.warnings.map(callerText),
            took_ms: response.tookMs,
            cached: response.cached,
          };
          return output;
        },
        renderSearchText,
      ),
  );
}
