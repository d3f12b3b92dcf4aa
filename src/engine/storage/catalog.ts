// The generation catalog: one LanceDB table, one row per (kb, generation). Each commit is one atomic write.
import type { Connection, Table } from '@lancedb/lancedb';
import { Field, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { EngineError, storageError } from '../errors.js';
import { advanceVersion, transitionProblem } from '../generations/lifecycle.js';
import type { EmbeddingSpace, FusionCalibration, GenerationStatus, IndexConfig, Metric } from '../types.js';
import { rowsToArrow } from './arrow-rows.js';
import { isCommitConflict } from './commit-conflict.js';
import { sqlString } from './sql.js';

/**
 * Why a LanceDB table and not a JSON file: a LanceDB commit is atomic on every storage LanceDB supports
 * (local disk and object stores alike), so promoting a generation — flipping two rows — is one commit
 * that a crash either did or did not make. Nothing is renamed or copied.
 */
export const CATALOG_TABLE = '_catalog';

/** Catalog rows use 'deleted' as a tombstone so generation numbers are never reused. */
export type CatalogStatus = GenerationStatus | 'deleted';

export interface GenerationRecord {
  kb: string;
  generation: number;
  status: CatalogStatus;
  tableName: string;
  createdAt: number;
  /** Last status change; the building-TTL and archive age count from here. */
  updatedAt: number;
  promotedAt: number | null;
  archivedAt: number | null;
  promotedEpoch: number | null;
  archivedEpoch: number | null;
  embedding: EmbeddingSpace | null;
  metric: Metric;
  indexConfig: IndexConfig;
  /** Hybrid fusion weights estimated at seal time; null when not calibrated or written by an older version. */
  fusionCalibration: FusionCalibration | null;
}

/** Added after the first release: catalogs written before it lack the column until a writer adds it. */
const FUSION_COLUMN = 'fusion_calibration';

const SCHEMA = new Schema([
  new Field('kb', new Utf8(), false),
  new Field('generation', new Int32(), false),
  new Field('status', new Utf8(), false),
  new Field('table_name', new Utf8(), false),
  new Field('created_at', new Float64(), false),
  new Field('updated_at', new Float64(), false),
  new Field('promoted_at', new Float64(), true),
  new Field('archived_at', new Float64(), true),
  new Field('promoted_epoch', new Int32(), true),
  new Field('archived_epoch', new Int32(), true),
  new Field('embedding_model', new Utf8(), true),
  new Field('embedding_revision', new Utf8(), true),
  new Field('embedding_pooling', new Utf8(), true),
  new Field('dimension', new Int32(), true),
  new Field('metric', new Utf8(), false),
  new Field('index_config', new Utf8(), false),
  new Field(FUSION_COLUMN, new Utf8(), true),
]);

function toRow(r: GenerationRecord): Record<string, unknown> {
  return {
    kb: r.kb,
    generation: r.generation,
    status: r.status,
    table_name: r.tableName,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    promoted_at: r.promotedAt,
    archived_at: r.archivedAt,
    promoted_epoch: r.promotedEpoch,
    archived_epoch: r.archivedEpoch,
    embedding_model: r.embedding?.model ?? null,
    embedding_revision: r.embedding?.revision ?? null,
    embedding_pooling: r.embedding?.pooling ?? null,
    dimension: r.embedding?.dimension ?? null,
    metric: r.metric,
    index_config: JSON.stringify(r.indexConfig),
    [FUSION_COLUMN]: r.fusionCalibration ? JSON.stringify(r.fusionCalibration) : null,
  };
}

function fromRow(row: Record<string, unknown>): GenerationRecord {
  const model = row.embedding_model as string | null;
  const embedding: EmbeddingSpace | null =
    model === null || model === undefined
      ? null
      : {
          model,
          dimension: Number(row.dimension),
          ...(row.embedding_revision ? { revision: row.embedding_revision as string } : {}),
          ...(row.embedding_pooling ? { pooling: row.embedding_pooling as string } : {}),
        };
  const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    kb: row.kb as string,
    generation: Number(row.generation),
    status: row.status as CatalogStatus,
    tableName: row.table_name as string,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    promotedAt: nullableNumber(row.promoted_at),
    archivedAt: nullableNumber(row.archived_at),
    promotedEpoch: nullableNumber(row.promoted_epoch),
    archivedEpoch: nullableNumber(row.archived_epoch),
    embedding,
    metric: row.metric as Metric,
    indexConfig: JSON.parse(row.index_config as string) as IndexConfig,
    fusionCalibration: parseCalibration(row[FUSION_COLUMN]),
  };
}

/** A calibration that does not parse (hand-edited, or a future shape) counts as none: search falls back. */
function parseCalibration(value: unknown): FusionCalibration | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const parsed = JSON.parse(value) as FusionCalibration;
    const { vector, lexical } = parsed.weights ?? {};
    return Number.isFinite(vector) && Number.isFinite(lexical) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Adds the fusion calibration column to a catalog written before it existed. Two processes may race to add
 * it; the loser sees it present after a reload and carries on. Read-only engines never migrate: they read
 * the missing column as null.
 */
async function addMissingColumns(table: Table): Promise<void> {
  const has = async () => (await table.schema()).fields.some((f) => f.name === FUSION_COLUMN);
  if (await has()) return;
  try {
    await table.addColumns([{ name: FUSION_COLUMN, valueSql: 'CAST(NULL AS STRING)' }]);
  } catch (error) {
    await table.checkoutLatest();
    if (!(await has())) throw error;
  }
}

/** Commit attempts before a catalog change gives up with CONFLICT. */
const COMMIT_ATTEMPTS = 5;

/**
 * In-memory snapshot of the catalog plus the commit path. Readers (searches) read the snapshot
 * synchronously, so a promotion is seen whole or not at all; writers go through `commit`.
 *
 * Many processes may share the table. Invariants: (1) one row per (kb, generation) and one active generation
 * per KB; (2) a change is computed from, and committed against, the newest version. (2) holds because every
 * writer of a KB changes its rows only while holding the KB's cross-process writer lease and after `follow(0)`
 * (see coordination/); the commit itself is re-checked against invariant (1) before it is written, and LanceDB
 * retries (or reports) a commit that raced another KB's commit on the same table.
 */
export class Catalog {
  private snapshot = new Map<string, readonly GenerationRecord[]>();
  private commitChain: Promise<unknown> = Promise.resolve();
  private version = -1;
  private checkedAt = 0;
  private following: Promise<void> | undefined;

  private constructor(
    private readonly table: Table | undefined,
    /** How old the snapshot may get before a read checks the table's version (0: every read). */
    private readonly stalenessMs: number,
  ) {}

  /**
   * Opens (or, unless read-only, creates) the catalog table and loads it. It is opened by name, never found
   * by listing: some S3-compatible stores list no tables.
   */
  static async open(db: Connection, readOnly: boolean, stalenessMs = 1000): Promise<Catalog> {
    try {
      let table: Table | undefined;
      try {
        table = await db.openTable(CATALOG_TABLE);
      } catch (error) {
        if (!/not found|does not exist|was not found/i.test(String(error))) throw error;
        if (!readOnly) table = await db.createEmptyTable(CATALOG_TABLE, SCHEMA, { existOk: true });
      }
      if (table && !readOnly) await addMissingColumns(table);
      const catalog = new Catalog(table, stalenessMs);
      await catalog.reload();
      return catalog;
    } catch (error) {
      throw storageError('opening the generation catalog', error);
    }
  }

  /**
   * Brings the snapshot up to the table's newest version when it is older than `maxAgeMs` (default: the
   * staleness setting; 0 forces a check). Cheap when nothing changed: one version check, no rows read.
   */
  follow(maxAgeMs: number = this.stalenessMs): Promise<void> {
    if (!this.table || (maxAgeMs > 0 && Date.now() - this.checkedAt < maxAgeMs)) return Promise.resolve();
    // An unforced read may share a check under way; a forced one (a writer under its lease) must start after
    // the call. Checks run one after another so an older reload never overwrites a newer one.
    if (this.following && maxAgeMs > 0) return this.following;
    const check = (this.following ?? Promise.resolve()).catch(() => undefined).then(() => this.checkNow());
    this.following = check;
    void check
      .catch(() => undefined)
      .finally(() => {
        if (this.following === check) this.following = undefined;
      });
    return check;
  }

  private async checkNow(): Promise<void> {
    const started = Date.now();
    try {
      await this.table!.checkoutLatest();
      if ((await this.table!.version()) !== this.version) await this.reload();
      this.checkedAt = started;
    } catch (error) {
      throw storageError('reading the generation catalog', error);
    }
  }

  async reload(): Promise<void> {
    const next = new Map<string, GenerationRecord[]>();
    if (this.table) {
      await this.table.checkoutLatest();
      const version = await this.table.version();
      const rows = (await this.table.query().toArray()) as Array<Record<string, unknown>>;
      for (const record of dedupe(rows.map(fromRow))) {
        const list = next.get(record.kb) ?? [];
        list.push(record);
        next.set(record.kb, list);
      }
      this.version = version;
    }
    for (const list of next.values()) list.sort((a, b) => a.generation - b.generation);
    this.snapshot = next;
  }

  /** Knowledge bases that have at least one live (not deleted) generation. */
  knowledgeBases(): string[] {
    return [...this.snapshot.entries()]
      .filter(([, gens]) => gens.some((g) => g.status !== 'deleted'))
      .map(([kb]) => kb)
      .sort();
  }

  /** All records of a KB, tombstones included, oldest first. */
  records(kb: string): readonly GenerationRecord[] {
    return this.snapshot.get(kb) ?? [];
  }

  /** Live generations of a KB (tombstones excluded). */
  generations(kb: string): GenerationRecord[] {
    return this.records(kb).filter((g) => g.status !== 'deleted');
  }

  get(kb: string, generation: number): GenerationRecord | undefined {
    return this.records(kb).find((g) => g.generation === generation && g.status !== 'deleted');
  }

  /** The active generation; if a crash ever left two, the most recently promoted one wins. */
  active(kb: string): GenerationRecord | undefined {
    let best: GenerationRecord | undefined;
    for (const g of this.records(kb)) {
      if (g.status !== 'active') continue;
      if (!best || (g.promotedEpoch ?? -1) > (best.promotedEpoch ?? -1)) best = g;
    }
    return best;
  }

  /** The KB's epoch: number of promotions so far (the active generation carries the latest). */
  epoch(kb: string): number {
    return this.records(kb).reduce((max, g) => Math.max(max, g.promotedEpoch ?? 0, g.archivedEpoch ?? 0), 0);
  }

  nextGenerationNumber(kb: string): number {
    return this.records(kb).reduce((max, g) => Math.max(max, g.generation), 0) + 1;
  }

  /**
   * Writes the given records in ONE LanceDB commit (merge-insert keyed by kb + generation), then updates the
   * snapshot. Callers hold the KB's writer lease and built `records` with the lifecycle transitions
   * (generations/lifecycle.ts) from a snapshot `follow(0)` refreshed under it; a same-status change that kept
   * the updatedAt it read (`{ ...record, fusionCalibration }`) is given the next one. Refused, nothing written:
   * - a change that is not a lifecycle transition from the snapshot's record (INVALID_STATE: a bug);
   * - a change that would leave a KB with two active generations (CONFLICT);
   * - a stale change (CONFLICT): the expected version of each row is the one in this snapshot (its status and
   *   updatedAt, or no row for a new generation), and the table's newest row must still match it. The lease
   *   already serializes a KB's writers; this catches the writer that lost its lease while stalled, instead of
   *   letting it overwrite the newer state. The snapshot is reloaded, so a retry computes from the newest rows.
   * A commit that lost a race with another process's commit of other rows is retried; after COMMIT_ATTEMPTS,
   * CONFLICT.
   */
  commit(changes: GenerationRecord[]): Promise<void> {
    const run = async () => {
      if (!this.table) throw storageError('writing the catalog', new Error('the engine is read-only'));
      const records = changes.map((r) => advanceVersion(this.record(r.kb, r.generation), r));
      for (const record of records) {
        const problem = transitionProblem(this.record(record.kb, record.generation), record);
        if (problem) throw new EngineError('INVALID_STATE', `refusing a catalog change: ${problem}`);
      }
      const problem = invariantProblem(this.snapshot, records);
      if (problem) {
        throw new EngineError(
          'CONFLICT',
          `refusing a catalog change that would leave ${problem}; another process changed the knowledge base ` +
            'meanwhile. Re-read its generations and retry.',
        );
      }
      // Taken before the first attempt: a retry reloads the snapshot, but must still expect what this change read.
      const expected = records.map((r) => this.record(r.kb, r.generation));
      for (let attempt = 1; ; attempt++) {
        await this.refuseIfStale(records, expected);
        try {
          await this.table
            .mergeInsert(['kb', 'generation'])
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .execute(rowsToArrow(SCHEMA, records.map(toRow)));
          break;
        } catch (error) {
          // The commit may or may not have landed: trust only what the table says.
          await this.reload().catch(() => undefined);
          if (!isCommitConflict(error)) throw storageError('committing the generation catalog', error);
          if (attempt >= COMMIT_ATTEMPTS) {
            throw new EngineError(
              'CONFLICT',
              `the generation catalog kept changing under this commit (${attempt} attempts, other processes ` +
                'writing at once); nothing was changed by this call, retry it',
              { cause: error },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt * Math.random()));
        }
      }
      this.applyToSnapshot(records);
    };
    const result = this.commitChain.then(run, run);
    this.commitChain = result.catch(() => undefined);
    return result;
  }

  /**
   * Compacts the catalog table and drops its versions older than `olderThan`. It runs in the commit chain:
   * a compaction racing a promotion's commit made LanceDB reject one of them ("Rewrite preempted by Update").
   */
  compact(olderThan: Date): Promise<number> {
    const run = async () => {
      if (!this.table) return 0;
      try {
        const stats = await this.table.optimize({ cleanupOlderThan: olderThan });
        return Number(stats.prune.bytesRemoved ?? 0);
      } catch (error) {
        // Another process committed meanwhile ("Rewrite preempted by Update"): compaction is only tidying.
        if (isCommitConflict(error)) return 0;
        throw storageError('compacting the generation catalog', error);
      }
    };
    const result = this.commitChain.then(run, run);
    this.commitChain = result.catch(() => undefined);
    return result;
  }

  /** This snapshot's record of a generation, tombstones included. */
  private record(kb: string, generation: number): GenerationRecord | undefined {
    return this.records(kb).find((g) => g.generation === generation);
  }

  /**
   * CONFLICT when the table's newest row of any changed generation is not the one this snapshot holds: another
   * writer changed it since this process last read it. The snapshot is then reloaded.
   */
  private async refuseIfStale(
    records: GenerationRecord[],
    expected: Array<GenerationRecord | undefined>,
  ): Promise<void> {
    const kbs = [...new Set(records.map((r) => r.kb))];
    let stored: GenerationRecord[];
    try {
      await this.table!.checkoutLatest();
      const rows = (await this.table!.query()
        .where(`kb IN (${kbs.map(sqlString).join(', ')})`)
        .toArray()) as Array<Record<string, unknown>>;
      stored = dedupe(rows.map(fromRow));
    } catch (error) {
      throw storageError('reading the generation catalog before a commit', error);
    }
    const same = (a: GenerationRecord | undefined, b: GenerationRecord | undefined) =>
      a?.status === b?.status && a?.updatedAt === b?.updatedAt;
    for (const [i, record] of records.entries()) {
      const found = stored.find((g) => g.kb === record.kb && g.generation === record.generation);
      // The row as read, or exactly as this change writes it (an earlier attempt landed despite its error;
      // writing identical content again changes nothing).
      if (
        same(expected[i], found) ||
        (found && JSON.stringify(toRow(found)) === JSON.stringify(toRow(record)))
      )
        continue;
      await this.reload().catch(() => undefined);
      const was = (g: GenerationRecord | undefined) =>
        g ? `${g.status} (updated ${g.updatedAt})` : 'absent';
      throw new EngineError(
        'CONFLICT',
        `generation ${record.generation} of "${record.kb}" changed under this commit: this process read it as ` +
          `${was(expected[i])}, the store now has it ${was(found)} (another process wrote it meanwhile); nothing ` +
          'was changed by this call, retry it',
      );
    }
  }

  private applyToSnapshot(records: GenerationRecord[]): void {
    const next = new Map(this.snapshot);
    for (const record of records) {
      const list = [...(next.get(record.kb) ?? [])].filter((g) => g.generation !== record.generation);
      list.push(record);
      list.sort((a, b) => a.generation - b.generation);
      next.set(record.kb, list);
    }
    this.snapshot = next;
  }
}

/**
 * One record per (kb, generation). Two rows can only exist if a store was written by an older version without
 * cross-process locks; the newest change wins, so such a store reads consistently and the next commit of that
 * generation (a merge on the same key) rewrites both rows alike.
 */
function dedupe(records: GenerationRecord[]): GenerationRecord[] {
  const byKey = new Map<string, GenerationRecord>();
  for (const record of records) {
    const key = `${record.kb}/${record.generation}`;
    const seen = byKey.get(key);
    if (!seen || record.updatedAt > seen.updatedAt) byKey.set(key, record);
  }
  return [...byKey.values()];
}

/** What invariant the snapshot with `changes` applied would break (more than one active generation), if any. */
function invariantProblem(
  snapshot: Map<string, readonly GenerationRecord[]>,
  changes: GenerationRecord[],
): string | undefined {
  for (const kb of new Set(changes.map((c) => c.kb))) {
    const after = new Map((snapshot.get(kb) ?? []).map((g) => [g.generation, g.status]));
    for (const change of changes) if (change.kb === kb) after.set(change.generation, change.status);
    const active = [...after.entries()].filter(([, status]) => status === 'active').map(([g]) => g);
    if (active.length > 1) return `"${kb}" with ${active.length} active generations (${active.join(', ')})`;
  }
  return undefined;
}
