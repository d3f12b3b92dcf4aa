// Background fusion calibration: never-sealed generations, growth, golden-query overrides, read-only engines.
import { connect } from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CALIBRATION_MIN_ROWS,
  calibrationDue,
  RECALIBRATION_GROWTH,
} from '../../../src/engine/search/auto-calibration.js';
import { openEngine } from '../../../src/engine/index.js';
import { CATALOG_TABLE } from '../../../src/engine/storage/catalog.js';
import type {
  ChunkInput,
  FusionCalibration,
  GenerationInfo,
  KnowledgeBaseEngine,
} from '../../../src/engine/types.js';
import { corpus, NoiseEmbedder } from '../../helpers/calibration-corpus.js';
import { openTestEngine, TEST_CALIBRATION_PROBES, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

/**
 * The keyword embedder, plus every vocabulary word spelled backwards as a synonym: "kalomi" and "imolak" share
 * an axis. BM25 sees two unrelated words, so queries in reversed words are answerable by the vector side only.
 */
class ReversedSynonymEmbedder extends KeywordEmbedder {
  private readonly known: Set<string>;
  constructor(private readonly words: string[]) {
    super({ vocabulary: words, id: 'reversed-synonyms' });
    this.known = new Set(words);
  }
  override embed(text: string): Float32Array {
    const mapped = text.toLowerCase().replace(/[a-z]+/g, (w) => {
      const reversed = [...w].reverse().join('');
      return this.known.has(w) || !this.known.has(reversed) ? w : reversed;
    });
    return super.embed(mapped);
  }
}

const reversed = (text: string) =>
  text
    .split(' ')
    .map((w) => [...w.replace(/\W/g, '')].reverse().join(''))
    .join(' ');

let t: TestEngine | undefined;
let extra: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const e of extra.reverse()) await e.close();
  extra = [];
  await t?.close();
  t = undefined;
});

async function calibrationOf(engine: KnowledgeBaseEngine, kb = 'kb'): Promise<FusionCalibration | null> {
  const generations: GenerationInfo[] = await engine.listGenerations(kb);
  return generations.find((g) => g.status === 'active')?.fusionCalibration ?? null;
}

/** Polled, not timed: background work finishes some time after the writes pause. */
async function waitFor(
  engine: KnowledgeBaseEngine,
  done: (c: FusionCalibration | null) => boolean,
): Promise<FusionCalibration> {
  await expect
    .poll(async () => done(await calibrationOf(engine)), { timeout: 60_000, interval: 100 })
    .toBe(true);
  return (await calibrationOf(engine))!;
}

describe('calibration of generations that are never sealed', () => {
  it('calibrates a KB made by plain upserts once writes pause, and searches report its weights', async () => {
    const { chunks } = corpus(80);
    t = await openTestEngine({ embedder: new NoiseEmbedder(), indexIdleMs: 50 });
    await t.engine.upsertChunks('kb', chunks.slice(0, 40));
    await t.engine.upsertChunks('kb', chunks.slice(40));
    const calibration = await waitFor(t.engine, (c) => c !== null);
    expect(calibration).toMatchObject({
      source: 'probes',
      reason: 'uncalibrated',
      chunkCount: 80,
      goldenRevision: 0,
      embeddingModel: 'noise-test',
    });
    // The noise side is useless: the calibration zeroes it, exactly as a seal would.
    expect(calibration.weights).toEqual({ vector: 0, lexical: 1 });
    expect(calibration.tookMs).toBeGreaterThanOrEqual(0);
    const [info] = await t.engine.listGenerations('kb');
    expect(info!.status).toBe('active'); // no seal happened: the first write's generation is still the one
    const r = await t.engine.search({ kb: 'kb', text: chunks[3]!.content.split(' ').slice(1, 6).join(' ') });
    expect(r.fusionWeights).toMatchObject({ source: 'calibrated', prior: { vector: 0, lexical: 1 } });
    expect(r.results[0]!.chunkId).toBe('c3');
  });

  it('is started by a hybrid search when no idle refresh runs (a store written by another process)', async () => {
    const { chunks } = corpus(60);
    t = await openTestEngine({ embedder: new NoiseEmbedder(), indexIdleMs: 0 });
    await t.engine.upsertChunks('kb', chunks);
    const first = await t.engine.search({ kb: 'kb', text: 'kalomi tunera sovi' });
    expect(first.fusionWeights!.source).toBe('uncalibrated');
    await t.engine.calibrationsSettled();
    expect(await calibrationOf(t.engine)).toMatchObject({ reason: 'uncalibrated', chunkCount: 60 });
    const next = await t.engine.search({ kb: 'kb', text: 'kalomi tunera sovi' });
    expect(next.fusionWeights!.source).toBe('calibrated');
    expect(next.cached).toBe(false); // the cached uncalibrated answer is not served after the calibration
  });

  it('leaves generations below the minimum size alone', async () => {
    t = await openTestEngine({ embedder: new NoiseEmbedder(), indexIdleMs: 0 });
    await t.engine.upsertChunks('kb', corpus(CALIBRATION_MIN_ROWS - 1).chunks);
    await t.engine.search({ kb: 'kb', text: 'kalomi tunera sovi' });
    await t.engine.calibrationsSettled();
    expect(await calibrationOf(t.engine)).toBeNull();
  });
});

describe('recalibration', () => {
  let dir: TempDir | undefined;
  afterEach(async () => {
    await dir?.remove();
    dir = undefined;
  });

  it('measures again once the generation has doubled', async () => {
    const { chunks } = corpus(125);
    t = await openTestEngine({ embedder: new NoiseEmbedder(), indexIdleMs: 50 });
    await t.engine.upsertChunks('kb', chunks.slice(0, 60));
    const first = await waitFor(t.engine, (c) => c !== null);
    expect(first).toMatchObject({ chunkCount: 60, reason: 'uncalibrated' });
    await t.engine.upsertChunks('kb', chunks.slice(60));
    expect(125).toBeGreaterThanOrEqual(RECALIBRATION_GROWTH * 60);
    const second = await waitFor(t.engine, (c) => c !== null && c.chunkCount === 125);
    expect(second.reason).toBe('growth');
    expect(second.calibratedAt).not.toBe(first.calibratedAt);
  });

  it('measures once more a calibration made before held-out probes (no probe kind) once a search uses it', async () => {
    dir = await makeTempDir();
    const { chunks } = corpus(80);
    const first = await openEngine({
      dataDir: dir.path,
      embedder: new NoiseEmbedder(),
      indexIdleMs: 50,
      calibrationProbes: TEST_CALIBRATION_PROBES,
    });
    await first.upsertChunks('kb', chunks);
    const measured = await waitFor(first, (c) => c !== null);
    expect(measured.probeKind).toBe('held-out');
    await first.close();
    // What an older version stored: the same record without probeKind.
    const db = await connect(dir.path);
    const catalog = await db.openTable(CATALOG_TABLE);
    const { probeKind: _kind, ...older } = measured;
    await catalog.update({
      where: "kb = 'kb' AND generation = 1",
      values: { fusion_calibration: JSON.stringify(older) },
    });
    catalog.close();
    db.close();

    const again = await openEngine({
      dataDir: dir.path,
      embedder: new NoiseEmbedder(),
      indexIdleMs: 50,
      calibrationProbes: TEST_CALIBRATION_PROBES,
    });
    try {
      expect((await calibrationOf(again))!.probeKind).toBeUndefined();
      await again.search({ kb: 'kb', text: 'kalomi tunera' }); // a search nudges the background check
      const remeasured = await waitFor(again, (c) => c?.probeKind !== undefined);
      expect(remeasured).toMatchObject({ reason: 'method', probeKind: 'held-out', chunkCount: 80 });
      expect(remeasured.weights).toEqual(measured.weights); // same seed, same data
    } finally {
      await again.close();
    }
  });

  it('decides when a calibration is due by rows and golden revision', () => {
    const c = { chunkCount: 100, goldenRevision: 0 } as FusionCalibration;
    expect(calibrationDue(null, CALIBRATION_MIN_ROWS - 1, 0)).toBeNull();
    expect(calibrationDue(null, CALIBRATION_MIN_ROWS, 0)).toBe('uncalibrated');
    expect(calibrationDue(c, 199, 0)).toBeNull();
    expect(calibrationDue(c, 200, 0)).toBe('growth');
    expect(calibrationDue(c, 20, 0)).toBeNull(); // shrinking does not recalibrate
    expect(calibrationDue(c, 100, 3)).toBe('golden');
    // A calibration written before golden revisions were recorded counts as revision 0.
    expect(calibrationDue({ chunkCount: 100 } as FusionCalibration, 100, 0)).toBeNull();
    // Probe weights measured before held-out probes existed (no probeKind) are measured once more.
    const old = { chunkCount: 100, goldenRevision: 0, source: 'probes' } as FusionCalibration;
    expect(calibrationDue(old, 100, 0)).toBe('method');
    expect(calibrationDue(old, CALIBRATION_MIN_ROWS - 1, 0)).toBeNull();
    expect(calibrationDue({ ...old, probeKind: 'held-out' }, 100, 0)).toBeNull();
    expect(calibrationDue({ ...old, probeKind: 'verbatim' }, 100, 0)).toBeNull();
    expect(calibrationDue({ ...old, source: 'golden' }, 100, 0)).toBeNull();
  });
});

describe('golden queries override the probes', () => {
  /** Six queries in reversed words (vector side only) plus two real words of another chunk (a lexical lure). */
  function goldenQueries(chunks: ChunkInput[]) {
    return Array.from({ length: 6 }, (_, i) => {
      const target = chunks[i * 7]!;
      const lure = chunks[i * 7 + 3]!.content.split(' ').slice(0, 2).join(' ');
      return {
        text: `${reversed(target.content.split(' ').slice(0, 5).join(' '))} ${lure}`,
        expected: [target.documentId],
      };
    });
  }

  it('recomputes on set_golden_queries with source "golden", and on removal goes back to the probes', async () => {
    const { chunks, vocabulary } = corpus(100);
    t = await openTestEngine({ embedder: new ReversedSynonymEmbedder(vocabulary), indexIdleMs: 50 });
    await t.engine.upsertChunks('kb', chunks);
    const probes = await waitFor(t.engine, (c) => c !== null);
    expect(probes.source).toBe('probes');

    const queries = goldenQueries(chunks);
    const topHits = async () => {
      let found = 0;
      for (const q of queries) {
        const r = await t!.engine.search({ kb: 'kb', text: q.text, limit: 1 });
        if (r.results[0]?.documentId === q.expected[0]) found++;
      }
      return found;
    };
    const before = await topHits();
    const set = await t.engine.setGoldenQueries('kb', { queries, k: 10 });
    await t.engine.calibrationsSettled();
    const golden = (await calibrationOf(t.engine))!;
    expect(golden).toMatchObject({ source: 'golden', reason: 'golden', goldenRevision: set.revision });
    expect(golden.golden!.queries).toBe(6);
    // Only the vector side answers these queries; the lexical side is lured to other documents.
    expect(golden.golden!.ndcg.vector).toBeGreaterThan(0.9);
    expect(golden.golden!.ndcg.lexical).toBeLessThan(0.2);
    expect(golden.golden!.ndcg.fused).toBeGreaterThanOrEqual(golden.golden!.ndcg.vector - 1e-9);
    expect(golden.weights.vector).toBeGreaterThan(probes.weights.vector);
    const r = await t.engine.search({ kb: 'kb', text: queries[0]!.text });
    expect(r.fusionWeights!.prior).toEqual(golden.weights);
    // The default hybrid now answers the golden queries better than with the probes' weights.
    expect(before).toBeLessThan(queries.length);
    expect(await topHits()).toBe(queries.length);

    // Removing the set (an empty list) makes the probes decide again.
    await t.engine.setGoldenQueries('kb', { queries: [] });
    await t.engine.calibrationsSettled();
    const back = (await calibrationOf(t.engine))!;
    expect(back).toMatchObject({ source: 'probes', reason: 'golden', goldenRevision: 0 });
    expect(back.weights).toEqual(probes.weights);
  });

  it('uses the golden queries at seal time too, and ignores sets of fewer than five queries', async () => {
    const { chunks, vocabulary } = corpus(100);
    t = await openTestEngine({ embedder: new ReversedSynonymEmbedder(vocabulary), indexIdleMs: 0 });
    await t.engine.upsertChunks('kb', chunks.slice(0, 10));
    await t.engine.setGoldenQueries('kb', { queries: goldenQueries(chunks).slice(0, 4) });
    const { generation } = await t.engine.createGeneration('kb');
    await t.engine.upsertChunks('kb', chunks, { generation });
    await t.engine.promoteGeneration('kb', generation);
    expect(await calibrationOf(t.engine)).toMatchObject({
      source: 'probes',
      reason: 'seal',
      goldenRevision: 0,
    });

    await t.engine.setGoldenQueries('kb', { queries: goldenQueries(chunks) });
    const g = (await t.engine.createGeneration('kb')).generation;
    await t.engine.upsertChunks('kb', chunks, { generation: g });
    await t.engine.promoteGeneration('kb', g);
    expect(await calibrationOf(t.engine)).toMatchObject({
      source: 'golden',
      reason: 'seal',
      goldenRevision: 2,
    });
  });
});

describe('processes sharing a store', () => {
  let dir: TempDir | undefined;
  afterEach(async () => {
    await dir?.remove();
    dir = undefined;
  });

  /** Distinct calibrations the catalog ever held for kb/1, read version by version with LanceDB itself. */
  async function calibrationsWritten(path: string): Promise<string[]> {
    const db = await connect(path);
    const table = await db.openTable(CATALOG_TABLE);
    const seen = new Set<string>();
    for (const { version } of await table.listVersions()) {
      await table.checkout(version);
      const rows = (await table.query().where("kb = 'kb' AND generation = 1").toArray()) as Array<{
        fusion_calibration: string | null;
      }>;
      for (const row of rows) if (row.fusion_calibration) seen.add(row.fusion_calibration);
    }
    table.close();
    db.close();
    return [...seen];
  }

  it('a read-only engine never writes a calibration; a writer then stores exactly one even when two race', async () => {
    dir = await makeTempDir();
    const { chunks } = corpus(80);
    const writer = await openEngine({ dataDir: dir.path, embedder: new NoiseEmbedder(), indexIdleMs: 0 });
    await writer.upsertChunks('kb', chunks);
    await writer.close();

    const reader = await openEngine({ dataDir: dir.path, embedder: new NoiseEmbedder(), readOnly: true });
    for (let i = 0; i < 3; i++) {
      const r = await reader.search({ kb: 'kb', text: `kalomi tunera ${i}` });
      expect(r.fusionWeights!.source).toBe('uncalibrated');
    }
    await reader.calibrationsSettled();
    await reader.close();
    expect(await calibrationsWritten(dir.path)).toEqual([]);

    // Two writers (two coordination owners, as two processes would be) asked at the same moment.
    const a = await openEngine({ dataDir: dir.path, embedder: new NoiseEmbedder(), indexIdleMs: 0 });
    const b = await openEngine({ dataDir: dir.path, embedder: new NoiseEmbedder(), indexIdleMs: 0 });
    extra.push(a, b);
    await Promise.all([a.search({ kb: 'kb', text: 'kalomi' }), b.search({ kb: 'kb', text: 'kalomi' })]);
    await Promise.all([a.calibrationsSettled(), b.calibrationsSettled()]);
    const written = await calibrationsWritten(dir.path);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toMatchObject({ reason: 'uncalibrated', chunkCount: 80 });
  });
});
