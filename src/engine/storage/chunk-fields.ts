// The one declaration of a chunk's stored fields: the Arrow schema, row mapping, result columns, filter keys and
// caller-field validation all derive from CHUNK_FIELDS.
import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  TimestampMillisecond,
  Utf8,
  type DataType,
} from 'apache-arrow';

/** How a field is stored and compared: drives its Arrow type, its reading back and its filter semantics. */
export type ChunkFieldKind = 'string' | 'integer' | 'timestamp' | 'json' | 'string-list' | 'vector';

export interface ChunkFieldSpec {
  /** Column name in the generation table (snake_case, the stored and the filter name). */
  column: string;
  kind: ChunkFieldKind;
  nullable: boolean;
  /** Searches return it (everything but the vector). */
  result: boolean;
  /** A filter may name it (`filter.<column>`). */
  filterable: boolean;
  /**
   * The ChunkInput property a caller sets it with; absent for fields the engine fills (kb, hash, timestamps).
   * Optional nullable strings/integers given this way are validated generically.
   */
  input?: string;
  /**
   * Added after the first schema: tables written before lack the column. Reads treat it as null; the first
   * write to such a table adds it (see ensureChunkColumns in generation-tables).
   */
  since?: string;
  /** Stored but empty in a lexical-only generation: dimension 0 leaves the column out. */
  vector?: true;
  /**
   * Computed from other fields, never set by callers: the SQL that fills it in an old table (see
   * backfillSql), and the same value as searchText() gives for new rows.
   */
  derivedSql?: string;
}

/** Order is the table's column order. New fields go at the end with `since`. */
export const CHUNK_FIELDS = [
  { column: 'chunk_id', kind: 'string', nullable: false, result: true, filterable: true },
  { column: 'document_id', kind: 'string', nullable: false, result: true, filterable: true },
  { column: 'kb_id', kind: 'string', nullable: false, result: true, filterable: false },
  { column: 'content', kind: 'string', nullable: false, result: true, filterable: false },
  { column: 'title', kind: 'string', nullable: true, result: true, filterable: true, input: 'title' },
  {
    column: 'source_path',
    kind: 'string',
    nullable: true,
    result: true,
    filterable: true,
    input: 'sourcePath',
  },
  { column: 'license', kind: 'string', nullable: true, result: true, filterable: true, input: 'license' },
  { column: 'version', kind: 'string', nullable: true, result: true, filterable: true, input: 'version' },
  { column: 'anchor', kind: 'string', nullable: true, result: true, filterable: true, input: 'anchor' },
  {
    column: 'page_number',
    kind: 'integer',
    nullable: true,
    result: true,
    filterable: true,
    input: 'pageNumber',
  },
  { column: 'metadata', kind: 'json', nullable: true, result: true, filterable: false },
  { column: 'embedding', kind: 'vector', nullable: false, result: false, filterable: false, vector: true },
  { column: 'created_at', kind: 'timestamp', nullable: false, result: true, filterable: true },
  { column: 'updated_at', kind: 'timestamp', nullable: false, result: true, filterable: true },
  {
    column: 'ordinal',
    kind: 'integer',
    nullable: true,
    result: true,
    filterable: true,
    input: 'ordinal',
    since: '0.2',
  },
  { column: 'content_hash', kind: 'string', nullable: true, result: true, filterable: true, since: '0.2' },
  {
    column: 'heading_path',
    kind: 'string-list',
    nullable: true,
    result: true,
    filterable: false,
    input: 'headingPath',
    since: '0.2',
  },
  {
    column: 'line_start',
    kind: 'integer',
    nullable: true,
    result: true,
    filterable: true,
    input: 'lineStart',
    since: '0.2',
  },
  {
    column: 'line_end',
    kind: 'integer',
    nullable: true,
    result: true,
    filterable: true,
    input: 'lineEnd',
    since: '0.2',
  },
  // The one BM25 field: title and content together (nDCG@10 on SciFact 0.685 against 0.678 for two fields
  // queried together). Snippets and results still come from `content`.
  {
    column: 'search_text',
    kind: 'string',
    nullable: true,
    result: false,
    filterable: false,
    since: '0.3',
    // Lance's SQL has no CASE; concat_ws skips a null title, as searchText() does.
    derivedSql: 'concat_ws(chr(10), title, content)',
  },
] as const satisfies readonly ChunkFieldSpec[];

export type ChunkColumn = (typeof CHUNK_FIELDS)[number]['column'];

/** Columns every search returns (everything but the vector). */
export const RESULT_COLUMNS = CHUNK_FIELDS.filter((f) => f.result).map((f) => f.column);

/** Columns added after the first schema: absent from older tables until their first write. */
export const LATER_COLUMNS: readonly ChunkFieldSpec[] = CHUNK_FIELDS.filter(
  (f: ChunkFieldSpec) => f.since !== undefined,
);

/** Filter kinds a plain column compares as. */
export type FilterColumnKind = 'string' | 'integer' | 'timestamp';

/** Chunk columns a filter may name, by the kind of value they hold. */
export const FILTER_COLUMNS: Readonly<Record<string, FilterColumnKind>> = Object.fromEntries(
  CHUNK_FIELDS.filter((f) => f.filterable).map((f) => [f.column, f.kind as FilterColumnKind]),
);

/** Optional caller-set fields by ChunkInput property, for the generic type checks of validation. */
export const INPUT_FIELDS: ReadonlyArray<{ input: string; column: string; kind: ChunkFieldKind }> = (
  CHUNK_FIELDS as readonly ChunkFieldSpec[]
).flatMap((f) => (f.input === undefined ? [] : [{ input: f.input, column: f.column, kind: f.kind }]));

/** The Arrow type of a field; `dimension` sizes the vector. */
export function arrowType(field: ChunkFieldSpec, dimension: number): DataType {
  switch (field.kind) {
    case 'string':
    case 'json':
    case 'string-list':
      return new Utf8();
    case 'integer':
      return new Int32();
    case 'timestamp':
      return new TimestampMillisecond();
    case 'vector':
      return new FixedSizeList(dimension, new Field('item', new Float32(), true));
  }
}

/** Tells LanceDB to store the column as JSON, which makes `json_get_*` predicates work on it. */
const JSON_EXTENSION = new Map([['ARROW:extension:name', 'arrow.json']]);

export function arrowField(field: ChunkFieldSpec, dimension: number): Field {
  return new Field(
    field.column,
    arrowType(field, dimension),
    field.nullable,
    field.kind === 'json' ? JSON_EXTENSION : undefined,
  );
}

/** SQL that adds a missing later column to an old table: derived fields computed, the others null. */
export function backfillSql(field: ChunkFieldSpec): string {
  if (field.derivedSql !== undefined) return field.derivedSql;
  return field.kind === 'integer' ? 'CAST(NULL AS INT)' : 'CAST(NULL AS STRING)';
}

/** The column lexical search scores: title and content as one BM25 field. */
export const LEXICAL_COLUMN = 'search_text';

/** What `search_text` holds for a chunk: the same as its derivedSql computes for an old row. */
export function searchText(title: string | null, content: string): string {
  return title === null ? content : `${title}\n${content}`;
}
