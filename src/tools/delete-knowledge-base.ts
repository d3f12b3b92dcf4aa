// delete_knowledge_base: remove a knowledge base and all its generations, after the user (or the caller) confirms.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { EngineError } from '../engine/errors.js';
import { kbNameSchema, strictArguments } from './common-schemas.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'delete_knowledge_base';

export const inputSchema = strictArguments({
  kb: kbNameSchema.describe('The knowledge base to delete, with every generation.'),
  confirm: z
    .string()
    .optional()
    .describe('The knowledge base name again. Needed when the client cannot ask the user (no elicitation).'),
});

export const outputSchema = z.object({
  kb: z.string(),
  deleted: z.boolean().describe('False when the user declined.'),
  generations: z.array(z.number().int()).describe('Generations removed.'),
  chunks: z.number().int().describe('Chunks the active generation held.'),
  confirmed_by: z.enum(['user', 'argument', 'declined']),
});

export const annotations = {
  title: 'Delete a knowledge base',
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};

export const description = `Delete a knowledge base with all its generations (active, archived, building). This cannot be undone.

Arguments:
- kb: the knowledge base name.
- confirm: the same name again. When the client supports elicitation the server asks the user instead, and confirm is not needed.

Returns deleted (false if the user declined), the generations removed and the chunk count of the active one.`;

export function registerDeleteKnowledgeBase(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, extra: ToolExtra) =>
      runTool(name, deps, async () => {
        // Fails with KB_NOT_FOUND before anyone is asked about a knowledge base that does not exist.
        const detail = await deps.engine.describeKnowledgeBase(args.kb);
        let confirmedBy: 'user' | 'argument';
        if (args.confirm !== undefined) {
          if (args.confirm !== args.kb) {
            throw new EngineError(
              'INVALID_INPUT',
              `confirm must repeat the knowledge base name "${args.kb}" exactly`,
            );
          }
          confirmedBy = 'argument';
        } else if (server.server.getClientCapabilities()?.elicitation) {
          const answer = await extra.sendRequest(
            {
              method: 'elicitation/create',
              params: {
                message: `Delete knowledge base "${args.kb}" (${detail.chunkCount} chunks, ${detail.generations} generations)? This cannot be undone.`,
                requestedSchema: {
                  type: 'object',
                  properties: {
                    delete: {
                      type: 'boolean',
                      title: `Delete "${args.kb}"`,
                      description: 'Permanently delete it',
                    },
                  },
                  required: ['delete'],
                },
              },
            },
            ElicitResultSchema,
          );
          if (answer.action !== 'accept' || answer.content?.delete !== true) {
            return {
              kb: args.kb,
              deleted: false,
              generations: [],
              chunks: 0,
              confirmed_by: 'declined' as const,
            };
          }
          confirmedBy = 'user';
        } else {
          throw new EngineError(
            'INVALID_INPUT',
            `deleting "${args.kb}" cannot be undone: call again with confirm: "${args.kb}" to confirm`,
          );
        }
        const result = await deps.engine.deleteKnowledgeBase(args.kb);
        const output: z.infer<typeof outputSchema> = {
          kb: result.kb,
          deleted: true,
          generations: result.generations,
          chunks: result.chunks,
          confirmed_by: confirmedBy,
        };
        return output;
      }),
  );
}
