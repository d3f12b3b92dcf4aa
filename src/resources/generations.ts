// Resource template rag-studio://knowledge-bases/{kb}/generations: every generation of a KB and its state.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  CALIBRATION_REASONS,
  CALIBRATION_SOURCES,
  PROBE_KINDS,
  GENERATION_STATUSES,
  METRICS,
  type FusionCalibration,
  type GenerationInfo,
} from '../engine/types.js';
import {
  completeKbName,
  completers,
  jsonContents,
  MIME_JSON,
  readOrThrow,
  variable,
  type ResourceDeps,
} from './resource-json.js';

const sides = z.object({ vector: z.number(), lexical: z.number(), fused: z.number() });

/** A generation's fusion calibration as resources show it (see FusionCalibration in engine/types.ts). */
export const fusionCalibrationSchema = z.object({
  weights: z.object({ vector: z.number(), lexical: z.number() }),
  source: z
    .enum(CALIBRATION_SOURCES)
    .describe("probes: queries cut from the KB's own chunks; golden: chosen on its golden queries"),
  reason: z
    .enum(CALIBRATION_REASONS)
    .nullable()
    .describe(
      'What started it: a seal, an uncalibrated generation reaching 50 rows, the generation doubling, its golden queries changing, or weights measured by an older probe method (null: written before reasons were recorded)',
    ),
  golden_revision: z.number().int().describe('Revision of the golden set it took into account (0: none)'),
  golden: z
    .object({ queries: z.number().int(), k: z.number().int(), ndcg: sides, recall: sides })
    .nullable()
    .describe('nDCG@k and Recall@k of each side and of the chosen mix on the golden queries'),
  probes: z.number().int(),
  probe_kind: z
    .enum(PROBE_KINDS)
    .nullable()
    .describe(
      'held-out: a sentence cut out of a chunk is searched for the rest of that chunk; verbatim: a fragment is searched for the chunk that contains it (chunks too short to split); null: an older calibration',
    ),
  guard: z
    .object({
      probes: z.number().int(),
      allowed: z.object({ min: z.number(), max: z.number() }),
    })
    .nullable()
    .describe(
      'With held-out probes: the verbatim probes that guarded them and the vector weights those did not measurably rank worse; the weight was picked inside',
    ),
  probe_mrr: sides,
  typical_margin: z.object({ vector: z.number(), lexical: z.number() }),
  seed: z.number().int(),
  chunk_count: z.number().int().describe('Rows in the generation when it was calibrated'),
  embedding_model: z.string(),
  took_ms: z.number().describe('Time the measurement took'),
  calibrated_at: z.string(),
});

export function toFusionCalibrationJson(
  c: FusionCalibration | null,
): z.infer<typeof fusionCalibrationSchema> | null {
  return (
    c && {
      weights: c.weights,
      source: c.source,
      reason: c.reason ?? null,
      golden_revision: c.goldenRevision ?? 0,
      golden: c.golden ?? null,
      probes: c.probes,
      probe_kind: c.probeKind ?? null,
      guard: c.guard ?? null,
      probe_mrr: c.probeMrr,
      typical_margin: c.typicalMargin,
      seed: c.seed,
      chunk_count: c.chunkCount,
      embedding_model: c.embeddingModel,
      took_ms: c.tookMs,
      calibrated_at: c.calibratedAt,
    }
  );
}

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
  fusion_calibration: fusionCalibrationSchema
    .nullable()
    .describe(
      'Hybrid fusion weights of this generation and how they were measured; null: not calibrated yet, hybrid uses equal weights shifted by per-query confidence.',
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
    fusion_calibration: toFusionCalibrationJson(info.fusionCalibration),
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
