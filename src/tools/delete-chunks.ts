// delete_chunks: remove chunks by chunk id and/or whole documents by document id.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { DeleteRequest } from '../engine/types.js';
import { generationSchema, kbNameSchema, strictArguments } from './common-schemas.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'delete_chunks';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  chunk_ids: z.array(z.string().min(1)).optional().describe('Chunks to delete by chunk_id.'),
  document_ids: z
    .array(z.string().min(1))
    .optional()
    .describe('Documents to delete: every chunk with one of these document_id values.'),
  generation: generationSchema.optional().describe('Delete from this generation; default the active one.'),
}).refine((args) => (args.chunk_ids?.length ?? 0) + (args.document_ids?.length ?? 0) > 0, {
  message: 'give at least one id in `chunk_ids` or `document_ids`',
  path: ['chunk_ids'],
});

export const outputSchema = z.object({
  kb: z.string(),
  generation: z.number().int(),
  deleted: z.number().int().describe('Chunks removed (ids that did not exist are not counted).'),
});

export const annotations = {
  title: 'Delete chunks or documents',
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Delete chunks from a knowledge base by chunk id, or whole documents by document id (all of their chunks). Use it when a source document was removed or must be re-indexed from scratch; to change a chunk, just upsert_chunks it again with the same chunk_id.

Arguments:
- kb: knowledge base name.
- chunk_ids: chunk_id values to delete.
- document_ids: document_id values whose chunks are all deleted.
- generation: delete from this generation (e.g. a building one); default the active one.
Give chunk_ids, document_ids or both. Returns how many chunks were deleted. Deleted chunks cannot be restored in that generation; an archived generation keeps its own copy until run_gc removes it.`;

export function registerDeleteChunks(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const request: DeleteRequest = {
          ...(args.chunk_ids === undefined ? {} : { chunkIds: args.chunk_ids }),
          ...(args.document_ids === undefined ? {} : { documentIds: args.document_ids }),
          ...(args.generation === undefined ? {} : { generation: args.generation }),
        };
        const result = await deps.engine.deleteChunks(args.kb, request);
        const output: z.infer<typeof outputSchema> = {
          kb: result.kb,
          generation: result.generation,
          deleted: result.deleted,
        };
        return output;
      }),
  );
}
