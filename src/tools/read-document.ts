// read_document: a whole document's chunks in order, a page (a token budget) at a time.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULT_PAGE_TOKENS, MAX_READ_TOKENS } from '../engine/documents/read-chunks.js';
import { TOKEN_COUNTERS } from '../engine/types.js';
import { generationSchema, kbNameSchema, strictArguments } from './common-schemas.js';
import { documentChunksShape, toDocumentChunksJson } from './read-chunks.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'read_document';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  document_id: z.string().min(1).describe('A document_id from hybrid_search results.'),
  max_tokens: z
    .number()
    .int()
    .min(1)
    .max(MAX_READ_TOKENS)
    .default(DEFAULT_PAGE_TOKENS)
    .describe(`Content tokens per page (default ${DEFAULT_PAGE_TOKENS}).`),
  offset: z.number().int().min(0).default(0).describe('Chunk to start at: the previous page’s next_offset.'),
  generation: generationSchema.optional().describe('Read this generation; default the active one.'),
});

export const outputSchema = z.object({
  ...documentChunksShape,
  offset: z.number().int(),
  next_offset: z
    .number()
    .int()
    .nullable()
    .describe('Pass as offset for the next page; null on the last page.'),
  counted_with: z.enum(TOKEN_COUNTERS),
});

export const annotations = {
  title: 'Read a document',
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Read a whole document's chunks in order, one page at a time.

Arguments:
- kb: knowledge base name.
- document_id: a document_id from hybrid_search results (or the documents resource).
- max_tokens: content tokens per page (default ${DEFAULT_PAGE_TOKENS}); a first chunk larger than that comes cut (truncated: true).
- offset: where to start; pass the previous page's next_offset until it is null.
- generation: read a specific generation; default the active one.`;

export function registerReadDocument(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const result = await deps.engine.readDocument(args.kb, {
          documentId: args.document_id,
          maxTokens: args.max_tokens,
          offset: args.offset,
          ...(args.generation === undefined ? {} : { generation: args.generation }),
        });
        const output: z.infer<typeof outputSchema> = {
          ...toDocumentChunksJson(result),
          offset: result.offset,
          next_offset: result.nextOffset,
          counted_with: result.countedWith,
        };
        return output;
      }),
  );
}
