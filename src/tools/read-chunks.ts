// read_chunks: a search hit with its neighbours in document order, to read the text around it.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MAX_NEIGHBOURS, MAX_READ_TOKENS } from '../engine/documents/read-chunks.js';
import type { ChunkView } from '../engine/types.js';
import { generationSchema, kbNameSchema, strictArguments } from './common-schemas.js';
import { runTool, withoutNulls, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'read_chunks';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  chunk_id: z.string().min(1).describe('A chunk_id from hybrid_search results.'),
  before: z
    .number()
    .int()
    .min(0)
    .max(MAX_NEIGHBOURS)
    .default(1)
    .describe(`Chunks before it, in document order (0-${MAX_NEIGHBOURS}, default 1).`),
  after: z
    .number()
    .int()
    .min(0)
    .max(MAX_NEIGHBOURS)
    .default(1)
    .describe(`Chunks after it (0-${MAX_NEIGHBOURS}, default 1).`),
  max_tokens: z
    .number()
    .int()
    .min(1)
    .max(MAX_READ_TOKENS)
    .optional()
    .describe('Content token budget; the nearest neighbours are kept first, the chunk itself always.'),
  generation: generationSchema.optional().describe('Read this generation; default the active one.'),
});

export const chunkViewSchema = z.object({
  chunk_id: z.string(),
  ordinal: z.number().int().nullable(),
  content: z.string(),
  truncated: z.boolean().optional(),
  citation: z.object({
    title: z.string().optional(),
    source_path: z.string().optional(),
    anchor: z.string().optional(),
    page_number: z.number().optional(),
    heading_path: z.array(z.string()).optional(),
    line_start: z.number().optional(),
    line_end: z.number().optional(),
  }),
});

/** What read_chunks and read_document both answer: some chunks of one document, in its order. */
export const documentChunksShape = {
  kb: z.string(),
  generation: z.number().int(),
  document_id: z.string(),
  chunks: z.array(chunkViewSchema).describe('In document order.'),
  document_chunks: z.number().int().describe('Chunks of the document in all.'),
};

export const outputSchema = z.object({
  ...documentChunksShape,
  index: z.number().int().describe('Position of the asked-for chunk in `chunks`.'),
});

export const annotations = {
  title: 'Read a chunk and its neighbours',
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Read the text around a search hit: the chunk and its neighbours in document order.

Arguments:
- kb: knowledge base name.
- chunk_id: a chunk_id from hybrid_search results.
- before / after: how many chunks before and after it (default 1 each, at most ${MAX_NEIGHBOURS}).
- max_tokens: optional budget for the returned text; the nearest neighbours are kept first.
- generation: read a specific generation; default the active one.

To read a whole document page by page, use read_document.`;

export function toChunkView(chunk: ChunkView): z.infer<typeof chunkViewSchema> {
  const c = chunk.citation;
  return {
    chunk_id: chunk.chunkId,
    ordinal: chunk.ordinal,
    content: chunk.content,
    ...(chunk.truncated ? { truncated: true } : {}),
    citation: withoutNulls({
      title: c.title,
      source_path: c.sourcePath,
      anchor: c.anchor,
      page_number: c.pageNumber,
      heading_path: c.headingPath,
      line_start: c.lineStart,
      line_end: c.lineEnd,
    }),
  };
}

/** The shared part of both answers, from the engine result. */
export function toDocumentChunksJson(result: {
  kb: string;
  generation: number;
  documentId: string;
  chunks: ChunkView[];
  documentChunks: number;
}) {
  return {
    kb: result.kb,
    generation: result.generation,
    document_id: result.documentId,
    chunks: result.chunks.map(toChunkView),
    document_chunks: result.documentChunks,
  };
}

export function registerReadChunks(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const result = await deps.engine.readChunks(args.kb, {
          chunkId: args.chunk_id,
          before: args.before,
          after: args.after,
          ...(args.max_tokens === undefined ? {} : { maxTokens: args.max_tokens }),
          ...(args.generation === undefined ? {} : { generation: args.generation }),
        });
        const output: z.infer<typeof outputSchema> = {
          ...toDocumentChunksJson(result),
          index: result.index,
        };
        return output;
      }),
  );
}
