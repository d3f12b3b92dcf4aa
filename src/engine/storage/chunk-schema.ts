// Arrow schema of a generation table and the conversions between chunk rows and Arrow record batches, all
// derived from CHUNK_FIELDS.
import { createHash } from 'node:crypto';
import { Schema, Table as ArrowTable } from 'apache-arrow';
import { rowsToArrow } from './arrow-rows.js';
import { arrowField, CHUNK_FIELDS, searchText, type ChunkFieldSpec } from './chunk-fields.js';
import type { ChunkInput, JsonValue } from '../types.js';

export { RESULT_COLUMNS } from './chunk-fields.js';

/** A chunk as stored: the embedding already computed, timestamps as epoch milliseconds. */
export interface StoredChunk {
  chunk_id: string;
  document_id: string;
  kb_id: string;
  content: string;
  title: string | null;
  source_path: string | null;
  license: string | null;
  version: string | null;
  anchor: string | null;
  page_number: number | null;
  /** Serialized JSON object. */
  metadata: string;
  /** Empty in a lexical-only generation. */
  embedding: Float32Array;
  created_at: number;
  updated_at: number;
  /** Position within its document (null in data written before ordinals were recorded). */
  ordinal: number | null;
  /** sha256 of the content, hex (null in data written before hashes were recorded). */
  content_hash: string | null;
  /** Serialized JSON array of headings, outermost first. */
  heading_path: string | null;
  line_start: number | null;
  line_end: number | null;
  /**
   * Title and content, the BM25 field. chunksToArrow always recomputes it from them (a copied row cannot carry
   * a stale one); rows read back for results leave it out (null).
   */
  search_text?: string | null;
}

/** Dimension 0 (a lexical-only generation) leaves the embedding column out: Arrow has no 0-wide lists. */
export function chunkSchema(dimension: number): Schema {
  const fields = (CHUNK_FIELDS as readonly ChunkFieldSpec[]).filter((f) => !(f.vector && dimension === 0));
  return new Schema(fields.map((f) => arrowField(f, dimension)));
}

/** Builds one Arrow table from stored chunks, search_text derived from each one's title and content. */
export function chunksToArrow(rows: StoredChunk[], dimension: number): ArrowTable {
  const written = rows.map((r) => ({ ...r, search_text: searchText(r.title, r.content) }));
  return rowsToArrow(chunkSchema(dimension), written as unknown as Array<Record<string, unknown>>);
}

/** Converts a row read back from LanceDB (timestamps may arrive as number, bigint or Date). */
export function toEpochMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return Number(value ?? 0);
}

export function parseMetadata(value: unknown): Record<string, JsonValue> {
  if (value === null || value === undefined) return {};
  const text = typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('utf8');
  if (text === '') return {};
  const parsed = JSON.parse(text) as unknown;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, JsonValue>)
    : {};
}

/** A stored heading path (JSON array text) as strings; null when absent or not an array. */
export function parseHeadingPath(value: unknown): string[] | null {
  if (typeof value !== 'string' || value === '') return null;
  const parsed = JSON.parse(value) as unknown;
  return Array.isArray(parsed) ? parsed.map(String) : null;
}

/**
 * A row as LanceDB returns it, back in the shape chunksToArrow takes. A column the row lacks (an old table
 * without a later field) reads as null.
 */
export function storedChunkFromRow(row: Record<string, unknown>): StoredChunk {
  const stored: Record<string, unknown> = {};
  for (const field of CHUNK_FIELDS as readonly ChunkFieldSpec[]) {
    stored[field.column] = readField(field, row[field.column]);
  }
  return stored as unknown as StoredChunk;
}

function readField(field: ChunkFieldSpec, value: unknown): unknown {
  const missing = value === null || value === undefined;
  switch (field.kind) {
    case 'string':
    case 'string-list':
      return missing ? (field.nullable ? null : '') : String(value);
    case 'integer':
      return missing ? null : Number(value);
    case 'timestamp':
      return toEpochMs(value);
    case 'json':
      return typeof value === 'string' ? value : JSON.stringify(parseMetadata(value));
    case 'vector':
      return missing ? new Float32Array(0) : Float32Array.from(value as ArrayLike<number>);
  }
}

/**
 * A caller's chunk as a row to store: the caller-set fields by CHUNK_FIELDS' `input` names, the engine's own
 * (kb, hash, timestamps, vector) from the arguments. `ordinal` is the default used when the chunk has none.
 */
export function storedChunkFromInput(
  chunk: ChunkInput,
  kb: string,
  embedding: Float32Array,
  now: number,
  ordinal: number,
): StoredChunk {
  const stored: Record<string, unknown> = {};
  const input = chunk as unknown as Record<string, unknown>;
  for (const field of CHUNK_FIELDS as readonly ChunkFieldSpec[]) {
    if (field.input === undefined) continue;
    const value = input[field.input] ?? null;
    stored[field.column] = field.kind === 'string-list' && value !== null ? JSON.stringify(value) : value;
  }
  return {
    ...(stored as unknown as StoredChunk),
    chunk_id: chunk.chunkId,
    document_id: chunk.documentId,
    kb_id: kb,
    content: chunk.content,
    metadata: JSON.stringify(chunk.metadata ?? {}),
    embedding,
    created_at: now,
    updated_at: now,
    ordinal: chunk.ordinal ?? ordinal,
    content_hash: contentHash(chunk.content),
  };
}

/** The hash that identifies exact-duplicate content: sha256 of the UTF-8 text, hex. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}
