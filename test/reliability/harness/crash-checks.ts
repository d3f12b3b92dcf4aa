// Invariants a data dir must meet after a SIGKILL: it opens, every KB has one whole active generation, GC recovers.
import { connect } from '@lancedb/lancedb';
import { HashEmbedder } from '../../../src/engine/embedding/index.js';
import { openEngine, type KnowledgeBaseEngine } from '../../../src/engine/index.js';
import { parseMetadata } from '../../../src/engine/storage/chunk-schema.js';
import { generationTableName } from '../../../src/engine/storage/generation-tables.js';
import { GOLDEN_QUERIES_TABLE } from '../../../src/engine/storage/golden-queries.js';
import type { JsonValue } from '../../../src/engine/types.js';

/** A word every chunk of the crash scenarios contains, so a lexical search can reach all of them. */
export const COMMON_WORD = 'alpha';

export interface StoredRow {
  chunkId: string;
  documentId: string;
  content: string;
  metadata: Record<string, JsonValue>;
}

/** Collects invariant violations instead of throwing, so the torture program can count them. */
export class Violations {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
  /** Runs `check`; an exception is itself a violation, named by `what`. */
  async guard<T>(what: string, check: () => Promise<T>): Promise<T | undefined> {
    try {
      return await check();
    } catch (error) {
      this.add(`${what} threw: ${String(error instanceof Error ? error.message : error).slice(0, 400)}`);
      return undefined;
    }
  }
}

/**
 * Every row of one generation, read with LanceDB directly (not through the engine under test). A table whose
 * creation was cut short (a directory without a first version) reads as empty when `allowIncomplete`.
 */
export async function scanGeneration(
  dataDir: string,
  kb: string,
  generation: number,
  options: { allowIncomplete?: boolean } = {},
): Promise<Map<string, StoredRow>> {
  const db = await connect(dataDir);
  try {
    const name = generationTableName(kb, generation);
    if (!(await db.tableNames()).includes(name)) return new Map();
    let table;
    try {
      table = await db.openTable(name);
    } catch (error) {
      // LanceDB 0.37 said "could not be loaded" for a table directory without a first version; 0.39 says
      // "was not found" (its _versions directory is missing), though tableNames() still lists it.
      if (options.allowIncomplete && /could not be loaded|was not found/.test(String(error)))
        return new Map();
      throw error;
    }
    try {
      const rows = (await table
        .query()
        .select(['chunk_id', 'document_id', 'content', 'metadata'])
        .toArray()) as Array<Record<string, unknown>>;
      const count = await table.countRows();
      if (rows.length !== count) throw new Error(`scan of ${name} returned ${rows.length} of ${count} rows`);
      const byId = new Map<string, StoredRow>();
      for (const row of rows) {
        const chunkId = String(row.chunk_id);
        if (byId.has(chunkId)) throw new Error(`chunk ${chunkId} appears twice in ${name}`);
        byId.set(chunkId, {
          chunkId,
          documentId: String(row.document_id),
          content: String(row.content),
          metadata: parseMetadata(row.metadata),
        });
      }
      return byId;
    } finally {
      table.close();
    }
  } finally {
    db.close();
  }
}

export function openVerifier(dataDir: string): Promise<KnowledgeBaseEngine> {
  return openEngine({ dataDir, embedder: new HashEmbedder() });
}

/**
 * For every KB: exactly one active generation whose every row is readable, tagged with its own generation
 * (metadata.gen, when `tagged`), counted as the engine counts it, and served whole by a default search.
 * Returns the active generation number and rows per KB.
 */
export async function checkActiveGenerations(
  engine: KnowledgeBaseEngine,
  dataDir: string,
  v: Violations,
  options: { tagged: boolean },
): Promise<Map<string, { generation: number; rows: Map<string, StoredRow> }>> {
  const result = new Map<string, { generation: number; rows: Map<string, StoredRow> }>();
  const kbs = (await v.guard('listKnowledgeBases', () => engine.listKnowledgeBases())) ?? [];
  for (const { name: kb } of kbs) {
    const generations = await v.guard(`listGenerations(${kb})`, () => engine.listGenerations(kb));
    if (!generations) continue;
    const active = generations.filter((g) => g.status === 'active');
    if (active.length !== 1) {
      v.add(
        `${kb}: ${active.length} active generations (${generations.map((g) => `${g.generation}:${g.status}`).join(', ')})`,
      );
      continue;
    }
    const gen = active[0]!;
    // A table whose creation the kill cut short reads as empty here; scenarios check that no acknowledged write
    // went into one, and checkWriteAfterCrash that the engine can write into it again.
    const rows = await v.guard(`scan of ${kb} g${gen.generation}`, () =>
      scanGeneration(dataDir, kb, gen.generation, { allowIncomplete: true }),
    );
    if (!rows) continue;
    result.set(kb, { generation: gen.generation, rows });
    if (rows.size !== gen.chunkCount)
      v.add(`${kb}: engine counts ${gen.chunkCount} chunks in g${gen.generation}, scan finds ${rows.size}`);
    if (options.tagged) {
      const foreign = [...rows.values()].filter((r) => r.metadata.gen !== gen.generation);
      if (foreign.length > 0) {
        v.add(
          `${kb}: active g${gen.generation} holds ${foreign.length} rows of another generation (e.g. ${foreign[0]!.chunkId} gen=${String(foreign[0]!.metadata.gen)})`,
        );
      }
    }
    const search = await v.guard(`search of ${kb}`, () =>
      engine.search({ kb, mode: 'hybrid', text: COMMON_WORD, limit: 100 }),
    );
    if (!search) continue;
    if (search.generation !== gen.generation)
      v.add(`${kb}: search answered from g${search.generation}, active is g${gen.generation}`);
    const expectedHits = Math.min(100, rows.size);
    if (search.results.length !== expectedHits)
      v.add(`${kb}: search returned ${search.results.length} hits, expected ${expectedHits}`);
    for (const hit of search.results) {
      const stored = rows.get(hit.chunkId);
      if (!stored || stored.content !== hit.content)
        v.add(`${kb}: search hit ${hit.chunkId} differs from the stored row`);
      if (options.tagged && hit.metadata.gen !== search.generation) {
        v.add(
          `${kb}: search of g${search.generation} returned ${hit.chunkId} tagged gen=${String(hit.metadata.gen)}`,
        );
      }
    }
  }
  return result;
}

/** Every live generation other than the active one can be searched by number (or is refused if being deleted). */
export async function checkOtherGenerations(engine: KnowledgeBaseEngine, v: Violations): Promise<void> {
  for (const { name: kb } of (await v.guard('listKnowledgeBases', () => engine.listKnowledgeBases())) ?? []) {
    for (const g of (await v.guard(`listGenerations(${kb})`, () => engine.listGenerations(kb))) ?? []) {
      if (g.status === 'active') continue;
      const outcome = await engine
        .search({ kb, mode: 'lexical', text: COMMON_WORD, generation: g.generation, limit: 5 })
        .then(
          () => 'ok',
          (error: { code?: string; message?: string }) =>
            `${error.code ?? 'unknown'}: ${error.message ?? ''}`,
        );
      const ok =
        g.status === 'marked_for_deletion' ? outcome.startsWith('GENERATION_NOT_FOUND') : outcome === 'ok';
      if (!ok) v.add(`${kb}: searching ${g.status} g${g.generation} gave ${outcome.slice(0, 300)}`);
    }
  }
}

/**
 * A full GC (no retention, no age, no TTL) must succeed on whatever the crash left, leave nothing marked for
 * deletion, no table without a catalog record, and the active generations exactly as they were.
 */
export async function checkRecoveryGc(
  engine: KnowledgeBaseEngine,
  dataDir: string,
  v: Violations,
  before: Map<string, { generation: number; rows: Map<string, StoredRow> }>,
): Promise<void> {
  const report = await v.guard('recovery gc', () =>
    engine.gc({ retentionEpochs: 0, minAgeSeconds: 0, buildingTtlSeconds: 0 }),
  );
  if (!report) return;
  const owned = new Set<string>(['_catalog', GOLDEN_QUERIES_TABLE]);
  for (const { name: kb } of (await v.guard('listKnowledgeBases', () => engine.listKnowledgeBases())) ?? []) {
    for (const g of (await v.guard(`listGenerations(${kb})`, () => engine.listGenerations(kb))) ?? []) {
      owned.add(generationTableName(kb, g.generation));
      if (g.status === 'marked_for_deletion')
        v.add(`${kb}: g${g.generation} still marked_for_deletion after a recovery gc`);
    }
  }
  const db = await connect(dataDir);
  try {
    const stray = (await db.tableNames()).filter((name) => !owned.has(name));
    if (stray.length > 0)
      v.add(`tables without a live catalog record after recovery gc: ${stray.join(', ')}`);
  } finally {
    db.close();
  }
  for (const [kb, { generation, rows }] of before) {
    const after = await v.guard(`scan after gc`, () =>
      scanGeneration(dataDir, kb, generation, { allowIncomplete: true }),
    );
    if (after && !sameRows(rows, after)) v.add(`${kb}: active g${generation} changed during recovery gc`);
  }
}

/** Indexes every generation table is created with (src/engine/storage/generation-tables.ts). */
export const EXPECTED_INDEXES = ['chunk_id_idx', 'document_id_idx', 'search_text_idx'];

/**
 * The store works normally after the crash: a write into each active generation succeeds, leaves the table
 * with all of its indexes (a crash during table creation must not leave it without some for good), and is
 * found by a lexical search.
 */
export async function checkWriteAfterCrash(
  engine: KnowledgeBaseEngine,
  v: Violations,
  actives: Map<string, { generation: number; rows: Map<string, StoredRow> }>,
): Promise<void> {
  for (const [kb, { generation }] of actives) {
    const probe = {
      chunkId: 'probe-after-crash',
      documentId: 'probe',
      content: `${COMMON_WORD} zebraprobe`,
      metadata: { gen: generation },
    };
    if (!(await v.guard(`write after the crash into ${kb}`, () => engine.upsertChunks(kb, [probe]))))
      continue;
    const detail = await v.guard(`describe ${kb}`, () => engine.describeKnowledgeBase(kb));
    const names = new Set(detail?.indexes.map((i) => i.name) ?? []);
    const missing = EXPECTED_INDEXES.filter((name) => !names.has(name));
    if (missing.length > 0)
      v.add(`${kb} g${generation} lacks indexes ${missing.join(', ')} even after a new write`);
    const found = await v.guard(`lexical search in ${kb}`, () =>
      engine.search({ kb, mode: 'lexical', text: 'zebraprobe', limit: 5 }),
    );
    if (found && found.results[0]?.chunkId !== probe.chunkId)
      v.add(`${kb}: the write after the crash is not found by a lexical search`);
  }
}

export function sameRows(a: Map<string, StoredRow>, b: Map<string, StoredRow>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, row] of a) {
    const other = b.get(id);
    if (
      !other ||
      other.content !== row.content ||
      JSON.stringify(other.metadata) !== JSON.stringify(row.metadata)
    )
      return false;
  }
  return true;
}

/** Opens the data dir, runs the generic checks plus `specific`, then the recovery GC; never throws. */
export async function verifyAfterCrash(
  dataDir: string,
  options: { tagged: boolean },
  specific: (
    engine: KnowledgeBaseEngine,
    actives: Map<string, { generation: number; rows: Map<string, StoredRow> }>,
    v: Violations,
  ) => Promise<void>,
): Promise<string[]> {
  const v = new Violations();
  const engine = await v.guard('opening the data dir', () => openVerifier(dataDir));
  if (!engine) return v.list;
  try {
    const actives = await checkActiveGenerations(engine, dataDir, v, options);
    await v.guard('scenario checks', () => specific(engine, actives, v));
    await checkOtherGenerations(engine, v);
    await checkRecoveryGc(engine, dataDir, v, actives);
    await checkWriteAfterCrash(engine, v, actives);
  } finally {
    await v.guard('closing the engine', () => engine.close());
  }
  return v.list;
}
