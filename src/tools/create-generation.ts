// create_generation: start an invisible rebuild of a knowledge base, empty or copied from the active generation.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { GENERATION_STATUSES, METRICS } from '../engine/types.js';
import { kbNameSchema, strictArguments } from './common-schemas.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'create_generation';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  copy_from_active: z
    .boolean()
    .default(false)
    .describe(
      'true: start from a copy of the active generation (incremental changes; a lexical-only generation is embedded with the configured model on the way); false: start empty (full rebuild).',
    ),
  metric: z
    .enum(METRICS)
    .optional()
    .describe('Vector distance of the new generation; default the server default (cosine).'),
});

export const outputSchema = z.object({
  kb: z.string(),
  generation: z
    .number()
    .int()
    .describe('Number of the new generation; pass it as `generation` to the other tools.'),
  status: z.enum(GENERATION_STATUSES),
  copied: z.number().int().describe('Chunks copied from the active generation.'),
});

export const annotations = {
  title: 'Start a new generation',
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};

export const description = `Start a new generation of a knowledge base: a separate index that searches do not see until you promote it. Use it to rebuild or re-embed a knowledge base without disturbing anyone searching it.

Typical flow: create_generation → upsert_chunks / delete_chunks with generation set to the returned number → hybrid_search with that generation to check it → promote_generation. If the result is wrong, promote the previous generation back.

Arguments:
- kb: knowledge base name; a new name creates an empty knowledge base.
- copy_from_active: true to start from a copy of the current content, false (default) to start empty.
- metric: vector distance for the new generation (cosine, l2, dot); default cosine.
The new generation has status "building".`;

export function registerCreateGeneration(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const result = await deps.engine.createGeneration(args.kb, {
          copyFromActive: args.copy_from_active,
          ...(args.metric === undefined ? {} : { metric: args.metric }),
        });
        const output: z.infer<typeof outputSchema> = {
          kb: result.kb,
          generation: result.generation,
          status: result.status,
          copied: result.copied,
        };
        return output;
      }),
  );
}
