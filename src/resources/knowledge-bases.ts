// Resources rag-studio://knowledge-bases (all KBs) and template rag-studio://knowledge-bases/{kb} (one in detail).
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { METRICS, type KnowledgeBaseInfo } from '../engine/types.js';
import {
  fusionCalibrationSchema,
  generationSchema,
  toFusionCalibrationJson,
  toGenerationJson,
} from './generations.js';
import {
  completeKbName,
  completers,
  jsonContents,
  kbUri,
  KNOWLEDGE_BASES_URI,
  MIME_JSON,
  readOrThrow,
  snakeKeys,
  variable,
  type ResourceDeps,
} from './resource-json.js';

const summarySchema = z.object({
  name: z.string(),
  active_generation: z.number().int().nullable(),
  chunk_count: z.number().int(),
  embedding_model: z.string().nullable(),
  dimension: z.number().int().nullable(),
  bytes: z.number(),
  metric: z.enum(METRICS).nullable(),
  epoch: z.number().int(),
  generation_count: z.number().int(),
  created_at: z.string(),
});

export const listContentSchema = z.object({ knowledge_bases: z.array(summarySchema) });

export const detailContentSchema = summarySchema.extend({
  index_config: z.record(z.string(), z.unknown()).nullable(),
  indexes: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      columns: z.array(z.string()),
      indexed_rows: z.number(),
      unindexed_rows: z.number(),
    }),
  ),
  fusion_calibration: fusionCalibrationSchema
    .nullable()
    .describe(
      "The active generation's hybrid fusion weights and how they were obtained (source, reason, when, rows, cost); null: not calibrated yet",
    ),
  generations: z.array(generationSchema),
});

function toSummary(kb: KnowledgeBaseInfo): z.infer<typeof summarySchema> {
  return {
    name: kb.name,
    active_generation: kb.activeGeneration,
    chunk_count: kb.chunkCount,
    embedding_model: kb.embedding?.model ?? null,
    dimension: kb.embedding?.dimension ?? null,
    bytes: kb.bytes,
    metric: kb.metric,
    epoch: kb.epoch,
    generation_count: kb.generations,
    created_at: kb.createdAt,
  };
}

export function registerKnowledgeBaseResources(server: McpServer, deps: ResourceDeps): void {
  server.registerResource(
    'knowledge-bases',
    KNOWLEDGE_BASES_URI,
    {
      title: 'Knowledge bases',
      description:
        'Every knowledge base: name, active generation, chunk count, embedding model and dimension, size in bytes. Read it to find which kb to search.',
      mimeType: MIME_JSON,
    },
    async (uri) => {
      const kbs = await readOrThrow(deps, uri, () => deps.engine.listKnowledgeBases());
      const content: z.infer<typeof listContentSchema> = { knowledge_bases: kbs.map(toSummary) };
      return jsonContents(uri, content);
    },
  );

  server.registerResource(
    'knowledge-base',
    new ResourceTemplate(`${KNOWLEDGE_BASES_URI}/{kb}`, {
      list: async () => {
        const kbs = await deps.engine.listKnowledgeBases();
        return {
          resources: kbs.map((kb) => ({
            uri: kbUri(kb.name),
            name: kb.name,
            description: `${kb.chunkCount} chunks, active generation ${kb.activeGeneration ?? 'none'}`,
            mimeType: MIME_JSON,
          })),
        };
      },
      complete: completers({ kb: (value) => completeKbName(deps, value) }),
    }),
    {
      title: 'Knowledge base details',
      description:
        'One knowledge base in detail: epoch (promotion count), active generation, embedding model, index configuration, indexes and every generation.',
      mimeType: MIME_JSON,
    },
    async (uri, variables) => {
      const kb = variable(variables.kb);
      const detail = await readOrThrow(deps, uri, () => deps.engine.describeKnowledgeBase(kb));
      const content: z.infer<typeof detailContentSchema> = {
        ...toSummary(detail),
        index_config: detail.indexConfig === null ? null : snakeKeys(detail.indexConfig),
        indexes: detail.indexes.map((index) => ({
          name: index.name,
          type: index.type,
          columns: index.columns,
          indexed_rows: index.indexedRows,
          unindexed_rows: index.unindexedRows,
        })),
        fusion_calibration: toFusionCalibrationJson(
          detail.generationList.find((g) => g.status === 'active')?.fusionCalibration ?? null,
        ),
        generations: detail.generationList.map(toGenerationJson),
      };
      return jsonContents(uri, content);
    },
  );
}
