// Arrow schema of a generation table and the conversions between chunk rows and Arrow record batches.
import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Schema,
  Table as ArrowTable,
  TimestampMillisecond,
  Utf8,
} from 'apache-arrow';
import { rowsToArrow } from './arrow-rows.js';
import type { JsonValue } from '../types.js';

/** Tells LanceDB to store the column as JSON, which makes `json_get_*` predicates work on it. */
const JSON_EXTENSION = new Map([['ARROW:extension:name', 'arrow.json']]);

/** Columns every search returns (everything but the vector). */
export const RESULT_COLUMNS = [
  'chunk_id',
  'document_id',
  'kb_id',
  'content',
  'title',
  'source_path',
  'license',
  'version',
  'anchor',
  'page_number',
  'metadata',
  'created_at',
  'updated_at',
] as const;

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
}

/** Dimension 0 (a lexical-only generation) leaves the embedding column out: Arrow has no 0-wide lists. */
export function chunkSchema(dimension: number): Schema {
  const fields = [
    new Field('chunk_id', new Utf8(), false),
    new Field('document_id', new Utf8(), false),
    new Field('kb_id', new Utf8(), false),
    new Field('content', new Utf8(), false),
    new Field('title', new Utf8(), true),
    new Field('source_path', new Utf8(), true),
    new Field('license', new Utf8(), true),
    new Field('version', new Utf8(), true),
    new Field('anchor', new Utf8(), true),
    new Field('page_number', new Int32(), true),
    new Field('metadata', new Utf8(), true, JSON_EXTENSION),
    new Field('embedding', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
    new Field('created_at', new TimestampMillisecond(), false),
    new Field('updated_at', new TimestampMillisecond(), false),
  ];
  return new Schema(dimension === 0 ? fields.filter((f) => f.name !== 'embedding') : fields);
}

/** Builds one Arrow table from stored chunks. */
export function chunksToArrow(rows: StoredChunk[], dimension: number): ArrowTable {
  return rowsToArrow(chunkSchema(dimension), rows as unknown as Array<Record<string, unknown>>);
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

/** A row as LanceDB returns it, back in the shape chunksToArrow takes. */
export function storedChunkFromRow(row: Record<string, unknown>): StoredChunk {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const metadata = row.metadata;
  return {
    chunk_id: String(row.chunk_id),
    document_id: String(row.document_id),
    kb_id: String(row.kb_id),
    content: String(row.content),
    title: text(row.title),
    source_path: text(row.source_path),
    license: text(row.license),
    version: text(row.version),
    anchor: text(row.anchor),
    page_number: row.page_number === null || row.page_number === undefined ? null : Number(row.page_number),
    metadata: typeof metadata === 'string' ? metadata : JSON.stringify(parseMetadata(metadata)),
    embedding:
      row.embedding === undefined || row.embedding === null
        ? new Float32Array(0)
        : Float32Array.from(row.embedding as ArrayLike<number>),
    created_at: toEpochMs(row.created_at),
    updated_at: toEpochMs(row.updated_at),
  };
}
