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
  makeData,
  makeVector,
  vectorFromArray,
} from 'apache-arrow';
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
  embedding: Float32Array;
  created_at: number;
  updated_at: number;
}

export function chunkSchema(dimension: number): Schema {
  return new Schema([
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
  ]);
}

/** Builds one Arrow table from stored chunks; vectors are packed into one contiguous buffer. */
export function chunksToArrow(rows: StoredChunk[], dimension: number): ArrowTable {
  const schema = chunkSchema(dimension);
  const flat = new Float32Array(rows.length * dimension);
  rows.forEach((row, i) => flat.set(row.embedding, i * dimension));
  const embeddingType = schema.fields.find((f) => f.name === 'embedding')!.type as FixedSizeList<Float32>;
  const embedding = makeVector(
    makeData({
      type: embeddingType,
      length: rows.length,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: flat.length, data: flat }),
    }),
  );
  // Insertion order matters: apache-arrow pairs these columns with the schema's fields by position.
  const columns: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (field.name === 'embedding') {
      columns[field.name] = embedding;
      continue;
    }
    const key = field.name as keyof StoredChunk;
    const values = rows.map((r) => r[key]);
    columns[field.name] =
      field.type instanceof Utf8
        ? utf8Vector(values as Array<string | null>)
        : vectorFromArray(values, field.type);
  }
  return new ArrowTable(schema, columns as never);
}

/**
 * Builds a Utf8 vector directly. apache-arrow's vectorFromArray leaves the offsets buffer empty for an
 * all-null string column, which LanceDB rejects ("Need at least N bytes in buffers[0]").
 */
function utf8Vector(values: Array<string | null>) {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => (v === null ? null : encoder.encode(v)));
  const offsets = new Int32Array(values.length + 1);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let total = 0;
  let nullCount = 0;
  encoded.forEach((bytes, i) => {
    if (bytes === null) nullCount++;
    else {
      validity[i >> 3]! |= 1 << (i & 7);
      total += bytes.length;
    }
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((bytes, i) => bytes && data.set(bytes, offsets[i]!));
  return makeVector(
    makeData({
      type: new Utf8(),
      length: values.length,
      nullCount,
      nullBitmap: nullCount > 0 ? validity : null,
      valueOffsets: offsets,
      data,
    }),
  );
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
