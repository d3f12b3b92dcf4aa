// The retrieve stage of a search: each side's candidates (vector by distance, lexical by BM25) from one table.
import { MatchQuery, MultiMatchQuery, type Table } from '@lancedb/lancedb';
import { arrowToRows } from '../storage/arrow-rows.js';
import type { GenerationRecord } from '../storage/catalog.js';
import {
  LEGACY_LEXICAL_COLUMNS,
  LEXICAL_COLUMN,
  readableLayout,
  type ReadableLayout,
  VECTOR_INDEX_NAME,
} from '../storage/generation-tables.js';
import type { Metric } from '../types.js';
import type { RankedCandidate } from './fusion.js';

export type Row = Record<string, unknown>;
export type Candidate = RankedCandidate<Row>;

export interface Retrieved {
  vector: Candidate[];
  lexical: Candidate[];
}

/** How many candidates each side fetches, and how many of them the caller needs ranked exactly. */
export interface RetrieveDepth {
  /** Candidates per side, with the headroom folding, grouping or fusion may use. */
  fetch: number;
  /** The results the page needs (limit + offset, doubled for hybrid): the base of the vector side's refine pool. */
  ranked: number;
}

/**
 * Both sides at once; a side that does not run is empty. `tableVersion` is the table's version when the caller
 * has just read it (each `version()` is a round trip into LanceDB's runtime).
 */
export async function retrieve(
  table: Table,
  record: GenerationRecord,
  sides: { vector: Float32Array | undefined; text: string | undefined },
  depth: RetrieveDepth,
  predicate: string | undefined,
  tableVersion?: number,
): Promise<Retrieved> {
  const version = tableVersion ?? (await table.version());
  const layout = await readableLayout(table, version);
  const columns = layout.columns;
  const [vector, lexical] = await Promise.all([
    sides.vector
      ? vectorCandidates(table, record, sides.vector, depth, predicate, columns, version)
      : Promise.resolve([]),
    sides.text !== undefined
      ? lexicalCandidates(table, sides.text, depth.fetch, predicate, layout)
      : Promise.resolve([]),
  ]);
  return { vector, lexical };
}

/** Higher is better for every metric, so fusion and callers never care which metric ran. */
export function similarity(metric: Metric, distance: number): number {
  if (metric === 'cosine') return 1 - distance;
  if (metric === 'dot') return -distance;
  return 1 / (1 + distance);
}

async function vectorCandidates(
  table: Table,
  record: GenerationRecord,
  vector: Float32Array,
  depth: RetrieveDepth,
  predicate: string | undefined,
  columns: readonly string[],
  version: number,
): Promise<Candidate[]> {
  let query = table
    .vectorSearch(vector)
    .column('embedding')
    .distanceType(record.metric)
    .select([...columns, '_distance'])
    .limit(depth.fetch);
  const config = record.indexConfig;
  if (await hasIndex(table, VECTOR_INDEX_NAME, version)) {
    if (config.nprobes) query = query.nprobes(config.nprobes);
    if (config.refineFactor) query = query.refineFactor(refineFactorFor(config.refineFactor, depth));
    if (config.ef) query = query.ef(config.ef);
  }
  // LanceDB applies `where` before the top-k (prefilter) for vector queries.
  if (predicate) query = query.where(predicate);
  const rows = arrowToRows(await query.toArrow());
  return byScoreThenId(
    rows.map((row) => ({
      id: row.chunk_id as string,
      score: similarity(record.metric, Number(row._distance)),
      row,
    })),
  );
}

/**
 * LanceDB re-ranks refineFactor × limit rows with exact distances, reading each row's full vector. The headroom
 * candidates (duplicates to fold, documents to group) need no pool of their own: they come from the pool the
 * page's results need, so the pool stays refineFactor × `ranked` — the recall the setting promises for the page,
 * without reading twice the vectors (that doubled refine was most of a 1.5× vector-search overhead at 100k).
 */
export function refineFactorFor(refineFactor: number, depth: RetrieveDepth): number {
  return Math.max(1, Math.round((refineFactor * depth.ranked) / depth.fetch));
}

async function lexicalCandidates(
  table: Table,
  text: string,
  limit: number,
  predicate: string | undefined,
  layout: ReadableLayout,
): Promise<Candidate[]> {
  // A table not migrated to the combined field yet is searched over its two indexed fields, as before.
  const match =
    layout.lexical === 'combined'
      ? new MatchQuery(text, LEXICAL_COLUMN)
      : new MultiMatchQuery(text, [...LEGACY_LEXICAL_COLUMNS]);
  let query = table
    .query()
    .fullTextSearch(match)
    .select([...layout.columns, '_score'])
    .limit(limit);
  if (predicate) query = query.where(predicate);
  const rows = arrowToRows(await query.toArrow());
  return byScoreThenId(rows.map((row) => ({ id: row.chunk_id as string, score: Number(row._score), row })));
}

/**
 * LanceDB orders equal scores by how its top-k happened to run, which changes with the number of candidates
 * asked for: the same query at limit 10 and limit 20 could list two tied chunks in either order. Ties go by
 * chunk id, so a ranking does not depend on the depth fetched (or on whether a page was refilled).
 */
function byScoreThenId(candidates: Candidate[]): Candidate[] {
  return candidates.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const indexCache = new WeakMap<Table, { version: number; names: Set<string> }>();

/** listIndices reads the manifest; remember the answer per table version. */
async function hasIndex(table: Table, name: string, version: number): Promise<boolean> {
  let known = indexCache.get(table);
  if (!known || known.version !== version) {
    known = { version, names: new Set((await table.listIndices()).map((i) => i.name)) };
    indexCache.set(table, known);
  }
  return known.names.has(name);
}
