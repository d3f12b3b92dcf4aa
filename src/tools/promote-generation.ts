// promote_generation: atomically make a generation active; promoting an archived one is a rollback.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { generationSchema, kbNameSchema, strictArguments } from './common-schemas.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'promote_generation';

export const inputSchema = strictArguments({
  kb: kbNameSchema,
  generation: generationSchema.describe(
    'The generation to make active: a building/ready one, or an archived one to roll back.',
  ),
});

export const outputSchema = z.object({
  kb: z.string(),
  active_generation: z.number().int(),
  previous_generation: z
    .number()
    .int()
    .nullable()
    .describe('The generation that was active before; now archived.'),
  epoch: z.number().int().describe('Promotion counter of the knowledge base after this call.'),
  sealed: z.boolean().describe('True when the generation had to be sealed (indexed) first.'),
  unchanged: z.boolean().describe('True when the generation was already active: nothing changed.'),
  took_ms: z.number(),
});

export const annotations = {
  title: 'Promote (or roll back to) a generation',
  readOnlyHint: false,
  // The previous generation is archived, not deleted: a rollback restores it exactly.
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Make a generation the active one of its knowledge base, atomically: every search sees either the old or the new generation, never a mix. Seals (indexes) the generation first if needed.

The previously active generation becomes "archived" and stays available for rollback: promoting an archived generation is a rollback. Promoting the generation that is already active changes nothing. Archived generations are removed by run_gc after the retention window, after which they can no longer be restored.

Arguments:
- kb: knowledge base name.
- generation: the generation number to activate (see rag-studio://knowledge-bases/{kb}/generations).`;

export function registerPromoteGeneration(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const result = await deps.engine.promoteGeneration(args.kb, args.generation);
        const output: z.infer<typeof outputSchema> = {
          kb: result.kb,
          active_generation: result.activeGeneration,
          previous_generation: result.previousGeneration,
          epoch: result.epoch,
          sealed: result.sealed,
          unchanged: result.unchanged,
          took_ms: result.tookMs,
        };
        return output;
      }),
  );
}
