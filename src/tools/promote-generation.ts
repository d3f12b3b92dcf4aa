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
  gate: z
    .boolean()
    .optional()
    .describe(
      "Run the knowledge base's golden queries first and refuse on a recall drop. Default: true when it has golden queries.",
    ),
  tolerance: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Largest accepted drop of mean recall@k for this call (default: the stored one).'),
});

const gateSchema = z
  .object({
    passed: z.boolean(),
    base_generation: z
      .number()
      .int()
      .nullable()
      .describe('The active generation compared against; null: none.'),
    candidate_generation: z.number().int(),
    k: z.number().int(),
    tolerance: z.number(),
    golden_revision: z.number().int(),
    base_recall: z.number().nullable(),
    candidate_recall: z.number(),
    drop: z.number().describe('base_recall − candidate_recall; negative when the candidate is better.'),
    regressions: z.array(
      z.object({
        query: z.string(),
        base_recall: z.number(),
        candidate_recall: z.number(),
        missing: z.array(z.string()),
      }),
    ),
  })
  .nullable()
  .describe('The golden-query gate that ran (it passed); null when no gate applied.');

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
  gate: gateSchema,
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
- generation: the generation number to activate (see rag-studio://knowledge-bases/{kb}/generations).
- gate: when the knowledge base has golden queries (set_golden_queries), they run first on this generation and on the active one, and the promotion is refused with GATE_FAILED and a report if mean recall@k drops by more than the tolerance. Default true when golden queries exist; gate: false skips it (e.g. an intended change).
- tolerance: overrides the stored tolerance for this call.`;

export function registerPromoteGeneration(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const result = await deps.engine.promoteGeneration(args.kb, args.generation, {
          ...(args.gate === undefined ? {} : { gate: args.gate }),
          ...(args.tolerance === undefined ? {} : { tolerance: args.tolerance }),
        });
        const gate = result.gate ?? null;
        const output: z.infer<typeof outputSchema> = {
          kb: result.kb,
          active_generation: result.activeGeneration,
          previous_generation: result.previousGeneration,
          epoch: result.epoch,
          sealed: result.sealed,
          unchanged: result.unchanged,
          gate:
            gate === null
              ? null
              : {
                  passed: gate.passed,
                  base_generation: gate.baseGeneration,
                  candidate_generation: gate.candidateGeneration,
                  k: gate.k,
                  tolerance: gate.tolerance,
                  golden_revision: gate.goldenRevision,
                  base_recall: gate.baseRecall,
                  candidate_recall: gate.candidateRecall,
                  drop: gate.drop,
                  regressions: gate.regressions.map((r) => ({
                    query: r.query,
                    base_recall: r.baseRecall,
                    candidate_recall: r.candidateRecall,
                    missing: r.missing,
                  })),
                },
          took_ms: result.tookMs,
        };
        return output;
      }),
  );
}
