// upsert_chunks: add or replace chunks (creating the KB on first use), with per-batch progress and cancellation.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ChunkInput, JsonValue, Progress, UpsertOptions } from '../engine/types.js';
import { INPUT_FIELDS } from '../engine/storage/chunk-fields.js';
import { generationSchema, kbNameSchema, metadataSchema, strictArguments } from './common-schemas.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';

export const name = 'upsert_chunks';

const chunkSchema = strictArguments(
  {
    chunk_id: z
      .string()
      .min(1)
      .describe('Stable id, unique in the knowledge base; re-sending an id replaces that chunk.'),
    document_id: z
      .string()
      .min(1)
      .describe('Id of the source document; groups its chunks (delete_chunks can drop them all).'),
    content: z.string().min(1).describe('The text of the chunk, typically a passage of a few hundred words.'),
    metadata: metadataSchema.optional(),
    embedding: z
      .array(z.number())
      .min(1)
      .optional()
      .describe('Your own vector for this chunk; omit it to let the server embed title + content.'),
    title: z.string().nullish().describe('Citation: document or section title (also searched lexically).'),
    source_path: z.string().nullish().describe('Citation: file path or URL of the source.'),
    license: z.string().nullish().describe('Citation: license of the source, e.g. "MIT".'),
    version: z.string().nullish().describe('Citation: version of the source document, e.g. "2.1".'),
    anchor: z.string().nullish().describe('Citation: heading anchor or fragment, e.g. "#install".'),
    page_number: z.number().int().min(0).nullish().describe('Citation: page number in the source.'),
    ordinal: z
      .number()
      .int()
      .min(0)
      .nullish()
      .describe(
        "Position within its document (read_chunks and read_document follow it); default: a replaced chunk keeps its ordinal, others continue after the document's stored chunks in the order of the call (from 0 with replace_documents).",
      ),
    heading_path: z
      .array(z.string())
      .nullish()
      .describe('Citation: headings above the chunk, outermost first, e.g. ["Guide", "Install"].'),
    line_start: z.number().int().min(0).nullish().describe('Citation: first source line of the chunk.'),
    line_end: z.number().int().min(0).nullish().describe('Citation: last source line of the chunk.'),
  },
  'chunk field',
);

export const inputSchema = strictArguments({
  kb: kbNameSchema.describe(
    'Knowledge base to write to; created on first use. 1-64 chars of a-z, 0-9, "_", "-".',
  ),
  chunks: z
    .array(chunkSchema)
    .min(1)
    .describe('The chunks to insert or replace; one invalid chunk rejects the whole call.'),
  generation: generationSchema
    .optional()
    .describe(
      'Write into this generation (e.g. a building one from create_generation); default the active one.',
    ),
  replace_documents: z
    .boolean()
    .optional()
    .describe(
      "Replace whole documents: chunks of the call's documents that the call does not carry are deleted in the same commit.",
    ),
});

export const outputSchema = z.object({
  kb: z.string(),
  generation: z.number().int(),
  upserted: z.number().int().describe('Chunks written: inserted + updated.'),
  inserted: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int().describe('Old chunks of replaced documents removed (replace_documents).'),
  took_ms: z.number(),
});

export const annotations = {
  title: 'Add or replace chunks',
  readOnlyHint: false,
  // Replacing a chunk by its own id is an update the caller asked for, not a loss of unrelated data.
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Add or replace chunks of text in a knowledge base so they can be searched with hybrid_search. Creates the knowledge base on first use. Split each document into passages of a few hundred words and send them in batches.

Arguments:
- kb: knowledge base name, e.g. "product-docs".
- chunks: each needs chunk_id (stable and unique in the knowledge base; sending an existing id replaces that chunk), document_id (the source document; groups its chunks) and content (the text). Optional: metadata (JSON object you can filter on later, e.g. {"lang": "en", "tags": ["setup"]}); citation fields title, source_path, license, version, anchor, page_number, heading_path, line_start, line_end (returned with search results); ordinal (position within its document; default: a replaced chunk keeps its place, new ones continue after the document's stored chunks in the order given, so a document sent over several calls keeps the order of the calls); embedding (your own vector; omit it and the server embeds title + content, or, when it runs without an embedding model, stores the chunk for lexical search only).
- generation: write into a specific generation, e.g. a building one from create_generation; default the active one.
- replace_documents: true to replace whole documents: the chunks of each document in the call that the call does not carry are removed in the same commit, so a shortened document leaves no stale chunks and no search sees both versions. Send all of a document's chunks in one call.

Validation happens before anything is written: one bad chunk rejects the call and the error lists each bad chunk's index and reason. Returns how many chunks were inserted and updated. Pass a progress token to get a progress notification per batch; cancelling the request stops the upsert — re-sending the same chunks is safe.`;

function toChunkInput(chunk: z.infer<typeof chunkSchema>): ChunkInput {
  const input: Record<string, unknown> = {
    chunkId: chunk.chunk_id,
    documentId: chunk.document_id,
    content: chunk.content,
    ...(chunk.metadata === undefined ? {} : { metadata: chunk.metadata as Record<string, JsonValue> }),
    ...(chunk.embedding === undefined ? {} : { embedding: chunk.embedding }),
  };
  // Every other stored field the caller may set is named like its column here (INPUT_FIELDS maps both).
  const fields = chunk as Record<string, unknown>;
  for (const { input: key, column } of INPUT_FIELDS) {
    if (fields[column] !== undefined) input[key] = fields[column];
  }
  return input as unknown as ChunkInput;
}

/** notifications/progress for this request, only when the caller asked (gave a progressToken). */
export function progressReporter(extra: ToolExtra): ((progress: Progress) => void) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let last = -Infinity;
  return (progress) => {
    // The spec requires progress to increase with every notification.
    if (!(progress.done > last)) return;
    last = progress.done;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: progress.done,
          total: progress.total,
          ...(progress.message === undefined ? {} : { message: progress.message }),
        },
      })
      .catch(() => {
        /* the client went away; the upsert itself must not fail for that */
      });
  };
}

export function registerUpsertChunks(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const onProgress = progressReporter(extra);
        const options: UpsertOptions = {
          signal: extra.signal,
          ...(args.generation === undefined ? {} : { generation: args.generation }),
          ...(args.replace_documents === undefined ? {} : { replaceDocuments: args.replace_documents }),
          ...(onProgress === undefined ? {} : { onProgress }),
        };
        const result = await deps.engine.upsertChunks(args.kb, args.chunks.map(toChunkInput), options);
        const output: z.infer<typeof outputSchema> = {
          kb: result.kb,
          generation: result.generation,
          upserted: result.upserted,
          inserted: result.inserted,
          updated: result.updated,
          deleted: result.deleted,
          took_ms: result.tookMs,
        };
        return output;
      }),
  );
}
