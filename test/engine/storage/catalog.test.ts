// The generation catalog on its own: open (and read-only open), commit, follow another instance, duplicate rows, conflicts.
import { connect, type Connection } from '@lancedb/lancedb';
import { Field, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_CONFIG } from '../../../src/engine/context.js';
import { CATALOG_TABLE, Catalog, type GenerationRecord } from '../../../src/engine/storage/catalog.js';
import { expectCode } from '../../helpers/engine.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

let dir: TempDir;
let db: Connection;
beforeEach(async () => {
  dir = await makeTempDir();
  db = await connect(dir.path);
});
afterEach(async () => {
  db.close();
  await dir.remove();
});

function record(kb: string, generation: number, changes: Partial<GenerationRecord> = {}): GenerationRecord {
  return {
    kb,
    generation,
    status: 'building',
    tableName: `${kb}-g${generation}`,
    createdAt: 1_000,
    updatedAt: 1_000,
    promotedAt: null,
    archivedAt: null,
    promotedEpoch: null,
    fusionCalibration: null,
    archivedEpoch: null,
    embedding: { model: 'hash', dimension: 8, revision: 'r1' },
    metric: 'cosine',
    indexConfig: DEFAULT_INDEX_CONFIG,
    ...changes,
  };
}

const active = (kb: string, generation: number, epoch: number) =>
  record(kb, generation, {
    status: 'active',
    promotedAt: 2_000,
    promotedEpoch: epoch,
    updatedAt: 2_000 + epoch,
  });

describe('Catalog.open', () => {
  it('creates the table on a fresh store, empty', async () => {
    const catalog = await Catalog.open(db, false);
    expect(catalog.knowledgeBases()).toEqual([]);
    expect(await db.tableNames()).toContain(CATALOG_TABLE);
  });

  it('read-only on a fresh store creates nothing and refuses commits with STORAGE', async () => {
    const catalog = await Catalog.open(db, true);
    expect(catalog.knowledgeBases()).toEqual([]);
    expect(await db.tableNames()).not.toContain(CATALOG_TABLE);
    const error = await expectCode(catalog.commit([record('a', 1)]), 'STORAGE');
    expect(error.message).toContain('read-only');
  });
});

describe('Catalog.commit', () => {
  it('persists records, round-trips every field and keeps generations sorted per KB', async () => {
    const catalog = await Catalog.open(db, false);
    const two = record('a', 2, {
      embedding: null,
      metric: 'l2',
      indexConfig: { type: 'none', bruteForceThreshold: 5 },
    });
    const one = active('a', 1, 1);
    await catalog.commit([two, one]);
    await catalog.commit([record('b', 1)]);
    expect(catalog.get('a', 2)).toEqual(two);

    const reopened = await Catalog.open(db, true);
    expect(reopened.knowledgeBases()).toEqual(['a', 'b']);
    expect(reopened.records('a')).toEqual([one, two]);
    expect(reopened.active('a')).toEqual(one);
    expect(reopened.epoch('a')).toBe(1);
    expect(reopened.nextGenerationNumber('a')).toBe(3);
  });

  it('updates a record in place (one row per kb + generation) and hides tombstones', async () => {
    const catalog = await Catalog.open(db, false);
    await catalog.commit([record('a', 1)]);
    await catalog.commit([record('a', 1, { status: 'ready', updatedAt: 1_500 })]);
    await catalog.commit([record('a', 2)]);
    await catalog.commit([record('a', 2, { status: 'marked_for_deletion', updatedAt: 1_100 })]);
    await catalog.commit([record('a', 2, { status: 'deleted', updatedAt: 1_200 })]);
    const table = await db.openTable(CATALOG_TABLE);
    expect(await table.countRows()).toBe(2);

    const reopened = await Catalog.open(db, true);
    expect(reopened.get('a', 1)?.status).toBe('ready');
    expect(reopened.get('a', 2)).toBeUndefined();
    expect(reopened.generations('a').map((g) => g.generation)).toEqual([1]);
    expect(reopened.records('a').map((g) => g.generation)).toEqual([1, 2]);
    expect(reopened.nextGenerationNumber('a')).toBe(3); // a tombstone keeps its number taken
  });

  it('refuses, with CONFLICT and nothing written, a change that would leave two active generations', async () => {
    const catalog = await Catalog.open(db, false);
    await catalog.commit([active('a', 1, 1)]);
    await expectCode(catalog.commit([active('a', 2, 2)]), 'CONFLICT');
    expect((await Catalog.open(db, true)).get('a', 2)).toBeUndefined();
    // The same promotion with the old generation archived is one valid commit.
    await catalog.commit([
      active('a', 2, 2),
      record('a', 1, { status: 'archived', archivedEpoch: 2, updatedAt: 3_000 }),
    ]);
    expect((await Catalog.open(db, true)).active('a')?.generation).toBe(2);
  });

  it('a stale writer is refused once it follows the newest version', async () => {
    const writerA = await Catalog.open(db, false);
    await writerA.commit([active('a', 1, 1)]);
    const writerB = await Catalog.open(db, false, 60_000);
    await writerA.commit([
      active('a', 2, 2),
      record('a', 1, { status: 'archived', archivedEpoch: 2, updatedAt: 3_000 }),
    ]);
    await writerB.follow(0);
    // B now sees generation 2 active: promoting 3 without archiving 2 is refused.
    await expectCode(
      writerB.commit([
        active('a', 3, 3),
        record('a', 1, { status: 'archived', archivedEpoch: 3, updatedAt: 4_000 }),
      ]),
      'CONFLICT',
    );
    expect((await Catalog.open(db, true)).get('a', 3)).toBeUndefined();
  });
});

describe('Catalog.commit as a state machine with expected versions', () => {
  it('refuses, with INVALID_STATE and nothing written, a change that is not a lifecycle transition', async () => {
    const catalog = await Catalog.open(db, false);
    const skipped = await expectCode(
      catalog.commit([record('a', 1, { status: 'deleted' })]),
      'INVALID_STATE',
    );
    expect(skipped.message).toContain('cannot go from none to deleted');
    await catalog.commit([record('a', 1)]);
    const same = await expectCode(catalog.commit([record('a', 1, { status: 'ready' })]), 'INVALID_STATE');
    expect(same.message).toContain('without a newer updatedAt');
    const renamed = record('a', 1, { status: 'ready', updatedAt: 1_500, tableName: 'other' });
    expect((await expectCode(catalog.commit([renamed]), 'INVALID_STATE')).message).toContain('tableName');
    expect((await Catalog.open(db, true)).get('a', 1)).toEqual(record('a', 1));
  });

  it('gives a metadata-only change that kept the version it read the next version', async () => {
    const catalog = await Catalog.open(db, false);
    await catalog.commit([record('a', 1)]);
    const weights = { weights: { vector: 0.4, lexical: 0.6 } } as GenerationRecord['fusionCalibration'];
    await catalog.commit([{ ...catalog.get('a', 1)!, fusionCalibration: weights }]);
    expect(catalog.get('a', 1)).toMatchObject({ updatedAt: 1_001, fusionCalibration: weights });
    expect((await Catalog.open(db, true)).get('a', 1)?.updatedAt).toBe(1_001);
  });

  it('refuses a stale writer with CONFLICT instead of letting it overwrite a newer row', async () => {
    const fresh = await Catalog.open(db, false);
    await fresh.commit([record('a', 1)]);
    // A writer whose snapshot is older than the store: what a process that stalled past its lease holds.
    const stale = await Catalog.open(db, false, 60_000);
    await fresh.commit([record('a', 1, { status: 'ready', updatedAt: 1_500 })]);

    const error = await expectCode(
      stale.commit([record('a', 1, { status: 'marked_for_deletion', updatedAt: 1_600 })]),
      'CONFLICT',
    );
    expect(error.message).toContain(
      'read it as building (updated 1000), the store now has it ready (updated 1500)',
    );
    expect((await Catalog.open(db, true)).get('a', 1)?.status).toBe('ready');
    // The refusal reloaded the stale snapshot: the same change computed again from it goes through.
    expect(stale.get('a', 1)?.status).toBe('ready');
    await stale.commit([record('a', 1, { status: 'marked_for_deletion', updatedAt: 1_600 })]);
    expect((await Catalog.open(db, true)).get('a', 1)?.status).toBe('marked_for_deletion');
  });

  it('refuses to create a generation another writer created meanwhile', async () => {
    const first = await Catalog.open(db, false);
    const second = await Catalog.open(db, false, 60_000);
    await second.follow(0);
    await first.commit([record('a', 1)]);
    const error = await expectCode(second.commit([record('a', 1, { metric: 'l2' })]), 'CONFLICT');
    expect(error.message).toContain('read it as absent');
    expect((await Catalog.open(db, true)).get('a', 1)).toEqual(record('a', 1));
  });
});

describe('Catalog.follow', () => {
  it('sees another instance’s commits within the staleness bound, at once when forced', async () => {
    const writer = await Catalog.open(db, false);
    const reader = await Catalog.open(db, true, 60_000);
    await reader.follow(); // first check: the snapshot is now fresh for 60 s
    await writer.commit([record('a', 1)]);

    await reader.follow();
    expect(reader.get('a', 1)).toBeUndefined(); // within the bound: no read of the table
    await reader.follow(0);
    expect(reader.get('a', 1)).toEqual(record('a', 1));
  });

  it('a read-only instance opened before the table exists stays empty', async () => {
    const reader = await Catalog.open(db, true, 0);
    await (await Catalog.open(db, false)).commit([record('a', 1)]);
    await reader.follow(0);
    expect(reader.knowledgeBases()).toEqual([]);
  });
});

describe('duplicate rows', () => {
  it('reads the newest of two rows for one (kb, generation), and the next commit rewrites both alike', async () => {
    const catalog = await Catalog.open(db, false);
    await catalog.commit([record('a', 1, { status: 'building', updatedAt: 1_000 })]);
    // What an older, lock-free version could leave behind: a second row for the same key, written later.
    const table = await db.openTable(CATALOG_TABLE);
    const [row] = (await table.query().toArray()) as Array<Record<string, unknown>>;
    await table.add([{ ...row, status: 'ready', updated_at: 3_000 }]);
    expect(await table.countRows()).toBe(2);

    const reopened = await Catalog.open(db, false);
    expect(reopened.generations('a')).toHaveLength(1);
    expect(reopened.get('a', 1)?.status).toBe('ready');

    await reopened.commit([record('a', 1, { status: 'marked_for_deletion', updatedAt: 4_000 })]);
    await table.checkoutLatest(); // this handle was opened before the commit
    const rows = (await table.query().toArray()) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.status)).toEqual(['marked_for_deletion', 'marked_for_deletion']);
    expect((await Catalog.open(db, true)).get('a', 1)?.status).toBe('marked_for_deletion');
  });
});

describe('catalogs written before fusion calibration', () => {
  /** The catalog schema of the first release: no fusion_calibration column. */
  async function oldCatalog(): Promise<void> {
    const text = (name: string, nullable = false) => new Field(name, new Utf8(), nullable);
    const float = (name: string, nullable = false) => new Field(name, new Float64(), nullable);
    const int = (name: string, nullable = false) => new Field(name, new Int32(), nullable);
    const schema = new Schema([
      text('kb'),
      int('generation'),
      text('status'),
      text('table_name'),
      float('created_at'),
      float('updated_at'),
      float('promoted_at', true),
      float('archived_at', true),
      int('promoted_epoch', true),
      int('archived_epoch', true),
      text('embedding_model', true),
      text('embedding_revision', true),
      text('embedding_pooling', true),
      int('dimension', true),
      text('metric'),
      text('index_config'),
    ]);
    const table = await db.createEmptyTable(CATALOG_TABLE, schema);
    await table.add([
      {
        kb: 'old',
        generation: 1,
        status: 'active',
        table_name: 'old-g1',
        created_at: 1_000,
        updated_at: 2_001,
        promoted_at: 2_000,
        archived_at: null,
        promoted_epoch: 1,
        archived_epoch: null,
        embedding_model: 'hash',
        embedding_revision: 'r1',
        embedding_pooling: null,
        dimension: 8,
        metric: 'cosine',
        index_config: JSON.stringify(DEFAULT_INDEX_CONFIG),
      },
    ]);
  }

  it('opens read-only without changing them, reading no calibration', async () => {
    await oldCatalog();
    const catalog = await Catalog.open(db, true);
    expect(catalog.active('old')).toEqual(active('old', 1, 1));
    const fields = (await (await db.openTable(CATALOG_TABLE)).schema()).fields.map((f) => f.name);
    expect(fields).not.toContain('fusion_calibration');
  });

  it('gain the column when a writer opens them, and then store calibrations', async () => {
    await oldCatalog();
    const catalog = await Catalog.open(db, false);
    expect(catalog.active('old')!.fusionCalibration).toBeNull();
    const calibrated = record('old', 2, {
      fusionCalibration: {
        weights: { vector: 0.25, lexical: 0.75 },
        source: 'probes',
        probes: 60,
        probeMrr: { vector: 0.4, lexical: 0.8, fused: 0.82 },
        typicalMargin: { vector: 0.05, lexical: 0.2 },
        seed: 12345,
        chunkCount: 100,
        embeddingModel: 'hash',
        tookMs: 900,
        calibratedAt: '2026-01-01T00:00:00.000Z',
      },
    });
    await catalog.commit([calibrated]);
    // A second writer opening the migrated table leaves it alone.
    const reopened = await Catalog.open(db, false);
    expect(reopened.get('old', 2)).toEqual(calibrated);
    expect(reopened.active('old')).toEqual(active('old', 1, 1));
  });
});
