// Resource template rag-studio://knowledge-bases/{kb}/generations: every generation of a KB and its state.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { GENERATION_STATUSES, METRICS, type GenerationInfo } from '../engine/types.js';
import {
  completeKbName,
  completers,
  jsonContents,
  MIME_JSON,
  readOrThrow,
  variable,
  type ResourceDeps,
} from './resource-json.js';

export const generationSchema = z.object({
  generation: z.number().int(),
  status: z.enum(GENERATION_STATUSES),
  chunk_count: z.number().int(),
  bytes: z.number(),
  embedding_model: z.string().nullable(),
  dimension: z.number().int().nullable(),
  metric: z.enum(METRICS),
  created_at: z.string(),
  promoted_at: z.string().nullable(),
  archived_at: z.string().nullable(),
  promoted_epoch: z.number().int().nullable(),
  archived_epoch: z.number().int().nullable(),
  fusion_calibration: z
    .object({
      weights: z.object({ vector: z.number(), lexical: z.number() }),
      source: z.string(),
      probes: z.number().int(),
      probe_mrr: z.object({ vector: z.number(), lexical: z.number(), fused: z.number() }),
      typical_margin: z.object({ vector: z.number(), lexical: z.number() }),
      seed: z.number().int(),
      chunk_count: z.number().int(),
      embedding_model: z.string(),
      took_ms: z.number(),
      calibrated_at: z.string(),
    })
    .nullable()
    .describe(
      'Hybrid fusion weights measured when the generation was sealed (probe queries cut from its own chunks); null: not calibrated, hybrid uses equal weights shifted by per-query confidence.',
    ),
});

export const contentSchema = z.object({ kb: z.string(), generations: z.array(generationSchema) });

export function toGenerationJson(info: GenerationInfo): z.infer<typeof generationSchema> {
  return {
    generation: info.generation,
    status: info.status,
    chunk_count: info.chunkCount,
    bytes: info.bytes,
    embedding_model: info.embedding?.model ?? null,
    dimension: info.embedding?.dimension ?? null,
    metric: info.metric,
    created_at: info.createdAt,
    promoted_at: info.promotedAt,
    archived_at: info.archivedAt,
    promoted_epoch: info.promotedEpoch,
    archived_epoch: info.archivedEpoch,
    fusion_calibration: info.fusionCalibration && {
      weights: info.fusionCalibration.weights,
      source: info.fusionCalibration.source,
      probes: info.fusionCalibration.probes,
      probe_mrr: info.fusionCalibration.probeMrr,
      typical_margin: info.fusionCalibration.typicalMargin,
      seed: info.fusionCalibration.seed,
      chunk_count: info.fusionCalibration.chunkCount,
      embedding_model: info.fusionCalibration.embeddingModel,
      took_ms: info.fusionCalibration.tookMs,
      calibrated_at: info.fusionCalibration.calibratedAt,
    },
  };
}

export function registerGenerationsResource(server: McpServer, deps: ResourceDeps): void {
  server.registerResource(
    'knowledge-base-generations',
    // No `list`: these would double resources/list; clients discover them through the template.
    new ResourceTemplate('rag-studio://knowledge-bases/{kb}/generations', {
      list: undefined,
      complete: completers({ kb: (value) => completeKbName(deps, value) }),
    }),
    {
      title: 'Generations of a knowledge base',
      description:
        'Every generation of one knowledge base: status (building, ready, active, archived, marked_for_deletion), chunk count, size, embedding model and timestamps. Use it to pick a generation to promote or roll back to.',
      mimeType: MIME_JSON,
    },
    async (uri, variables) => {
      const kb = variable(variables.kb);
      const generations = await readOrThrow(deps, uri, () => deps.engine.listGenerations(kb));
      const content: z.infer<typeof contentSchema> = { kb, generations: generations.map(toGenerationJson) };
      return jsonContents(uri, content);
    },
  );
}
