// run_gc: collect old archived/abandoned generations and old table versions; dry run reports the same plan.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { GcOptions } from '../engine/types.js';
import { kbNameSchema, strictArguments } from './common-schemas.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'run_gc';

export const inputSchema = strictArguments({
  kb: kbNameSchema.optional().describe('Collect only this knowledge base; default all of them.'),
  dry_run: z.boolean().default(false).describe('true: report what would be deleted and delete nothing.'),
  retention_epochs: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Keep archived generations within this many promotions of the present (server default: 2).'),
  min_age_seconds: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Never delete anything younger than this many seconds (server default: 3600).'),
});

export const outputSchema = z.object({
  dry_run: z.boolean(),
  deleted: z.array(
    z.object({ kb: z.string(), generation: z.number().int(), bytes: z.number(), reason: z.string() }),
  ),
  kept: z.array(z.object({ kb: z.string(), generation: z.number().int(), reason: z.string() })),
  compacted: z.array(
    z.object({
      kb: z.string(),
      generation: z.number().int(),
      bytes_removed: z.number(),
      versions_removed: z.number(),
    }),
  ),
  reclaimed_bytes: z.number(),
  took_ms: z.number(),
});

export const annotations = {
  title: 'Collect garbage',
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};

export const description = `Reclaim disk space: delete archived generations older than the retention window and abandoned building generations, and compact active generations (removing old table versions). Never touches an active generation or one a search is still reading; reports what it deleted, what it kept and why, and the bytes reclaimed. A background loop already does this periodically, so call it only when asked to free space or after large rebuilds.

Deleted archived generations can no longer be rolled back to: run with dry_run: true first and show the plan.

Arguments:
- kb: limit to one knowledge base; default all.
- dry_run: report only (default false).
- retention_epochs: keep archived generations within this many promotions (server default 2, RAG_STUDIO_RETENTION_EPOCHS).
- min_age_seconds: nothing younger than this is deleted (server default 3600, RAG_STUDIO_GC_MIN_AGE_S).`;

export function registerRunGc(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, _extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const options: GcOptions = {
          dryRun: args.dry_run,
          ...(args.kb === undefined ? {} : { kb: args.kb }),
          ...(args.retention_epochs === undefined ? {} : { retentionEpochs: args.retention_epochs }),
          ...(args.min_age_seconds === undefined ? {} : { minAgeSeconds: args.min_age_seconds }),
        };
        const report = await deps.engine.gc(options);
        const output: z.infer<typeof outputSchema> = {
          dry_run: report.dryRun,
          deleted: report.deleted,
          kept: report.kept,
          compacted: report.compacted.map((c) => ({
            kb: c.kb,
            generation: c.generation,
            bytes_removed: c.bytesRemoved,
            versions_removed: c.versionsRemoved,
          })),
          reclaimed_bytes: report.reclaimedBytes,
          took_ms: report.tookMs,
        };
        return output;
      }),
  );
}
