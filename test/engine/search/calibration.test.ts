// Seal-time fusion calibration on generated KBs whose sides are known: a useless vector side, and two good sides.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@lancedb/lancedb';
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CALIBRATION_PROBES,
  drawProbes,
  heldOutSplit,
  mulberry32,
  probeText,
  type ProbeSource,
} from '../../../src/engine/search/draw-probes.js';
import {
  PROBE_DIR_PREFIX,
  ProbeTable,
  removeStaleProbeDirs,
  STALE_MS,
} from '../../../src/engine/search/probe-table.js';
import { similarity } from '../../../src/engine/search/retrieve.js';
import {
  nearBest,
  pairedDifference,
  pickGuardedWeight,
  pickWeight,
  probeTarget,
} from '../../../src/engine/search/probe-weights.js';
import { openEngine } from '../../../src/engine/index.js';
import type { ChunkInput, Embedder, EngineOptions } from '../../../src/engine/types.js';
import { conceptCorpus, ConceptEmbedder, corpus, NoiseEmbedder } from '../../helpers/calibration-corpus.js';
import { expectCode, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function sealedKb(embedder: Embedder, chunks: ChunkInput[], options: Partial<EngineOptions> = {}) {
  // The default probe count (the test helper's is smaller), unless a test asks for another.
  t = await openTestEngine({ embedder, calibrationProbes: CALIBRATION_PROBES, ...options });
  const { generation } = await t.engine.createGeneration('kb');
  await t.engine.upsertChunks('kb', chunks, { generation });
  await t.engine.promoteGeneration('kb', generation);
  const info = (await t.engine.listGenerations('kb')).find((g) => g.generation === generation)!;
  return { engine: t.engine, calibration: info.fusionCalibration };
}

// Each seal calibrates with 150 held-out and 150 verbatim probes (seconds under load): generous timeouts.
describe('calibration at seal time', () => {
  it('gives a useless vector side weight 0, and the default hybrid then ranks exactly like lexical', async () => {
    const { chunks } = corpus(150);
    const { engine, calibration } = await sealedKb(new NoiseEmbedder(), chunks);
    expect(calibration).not.toBeNull();
    expect(calibration!.source).toBe('probes');
    expect(calibration!.probes).toBeGreaterThanOrEqual(8);
    expect(calibration!.probeMrr.lexical).toBeGreaterThan(0.8);
    expect(calibration!.probeMrr.vector).toBeLessThan(0.2);
    expect(calibration!.weights).toEqual({ vector: 0, lexical: 1 });
    expect(calibration!.embeddingModel).toBe('noise-test');

    for (const chunk of chunks.slice(0, 8)) {
      const text = chunk.content.split(' ').slice(2, 7).join(' ');
      const hybrid = await engine.search({ kb: 'kb', text, limit: 10 });
      // Hybrid fetches 2 × limit candidates per side; BM25 ties at the cut-off depend on that depth.
      const lexical = await engine.search({ kb: 'kb', text, mode: 'lexical', limit: 20 });
      expect(hybrid.fusion).toBe('calibrated');
      expect(hybrid.fusionWeights).toMatchObject({ vector: 0, lexical: 1, source: 'calibrated' });
      expect(hybrid.fusionWeights!.prior).toEqual({ vector: 0, lexical: 1 });
      expect(hybrid.results.map((r) => [r.chunkId, r.scores.lexical])).toEqual(
        lexical.results.slice(0, 10).map((r) => [r.chunkId, r.score]),
      );
      // The fused list still reports each side's own score and rank.
      expect(hybrid.results[0]!.ranks.lexical).toBe(1);
    }
  }, 180_000);

  it('leaves out (or nearly) a weak vector side that only echoes the lexical one (the hash embedder next to BM25), whatever the seed', async () => {
    const { chunks, vocabulary } = corpus(150);
    // Sees one word in five, and nothing else: it finds some probe sources, always by words BM25 also has.
    const echo = () => new KeywordEmbedder({ id: 'echo-test', vocabulary: vocabulary.slice(0, 100) });
    const { engine, calibration } = await sealedKb(echo(), chunks);
    expect(calibration!.probeMrr.vector).toBeGreaterThan(0.1);
    expect(calibration!.probeMrr.vector).toBeLessThan(calibration!.probeMrr.lexical - 0.2);
    // The previous rule (near-ties go to the vector side's share of the probe MRRs) gave it about that share.
    expect(calibration!.weights).toEqual({ vector: 0, lexical: 1 });
    const text = chunks[3]!.content.split(' ').slice(1, 6).join(' ');
    const hybrid = await engine.search({ kb: 'kb', text, limit: 10 });
    const lexical = await engine.search({ kb: 'kb', text, mode: 'lexical', limit: 20 });
    expect(hybrid.results.map((r) => r.chunkId)).toEqual(lexical.results.slice(0, 10).map((r) => r.chunkId));
    // Other KB names draw other probes (another seed); the weight stays at 0, or a token 0.05 where the probes
    // measured that mixing it in helps beyond their noise (one seed of these three).
    for (const kb of ['kb2', 'kb3', 'kb4']) {
      const { generation } = await engine.createGeneration(kb);
      await engine.upsertChunks(kb, chunks, { generation });
      await engine.promoteGeneration(kb, generation);
      const other = (await engine.listGenerations(kb))[0]!.fusionCalibration!;
      expect(other.seed).not.toBe(calibration!.seed);
      expect(other.weights.vector).toBeLessThanOrEqual(0.05);
    }
  }, 300_000);

  it('gives two sides that each know what the other does not substantial weights, and hybrid then beats both', async () => {
    // BM25 sees chunk identifiers and same-spelled synonyms; the embedder sees concepts (every synonym) only.
    const { chunks, concepts, questions } = conceptCorpus(150);
    const { engine, calibration } = await sealedKb(new ConceptEmbedder(concepts), chunks);
    expect(calibration!.probeKind).toBe('held-out');
    expect(calibration!.probeMrr.fused).toBeGreaterThan(
      Math.max(calibration!.probeMrr.vector, calibration!.probeMrr.lexical) + 0.05,
    );
    expect(calibration!.weights.vector).toBeGreaterThanOrEqual(0.2);
    expect(calibration!.weights.lexical).toBeGreaterThanOrEqual(0.2);
    expect(calibration!.weights.vector + calibration!.weights.lexical).toBeCloseTo(1, 6);

    // Questions the test wrote, one per chunk (fresh synonyms, the identifier one time in two).
    const mrr = async (mode?: 'vector' | 'lexical') => {
      let sum = 0;
      for (const q of questions) {
        const r = await engine.search({ kb: 'kb', text: q.text, limit: 10, ...(mode ? { mode } : {}) });
        const rank = r.results.findIndex((h) => h.chunkId === q.chunkId);
        sum += rank < 0 ? 0 : 1 / (rank + 1);
      }
      return sum / questions.length;
    };
    const [vector, lexical, hybrid] = [await mrr('vector'), await mrr('lexical'), await mrr()];
    expect(hybrid).toBeGreaterThan(Math.max(vector, lexical) + 0.02);

    // Seeded by KB name and generation: the same data calibrates to the same numbers in another engine.
    await t!.close();
    const again = (await sealedKb(new ConceptEmbedder(concepts), chunks)).calibration!;
    const { tookMs: _a, calibratedAt: _b, ...first } = calibration!;
    const { tookMs: _c, calibratedAt: _d, ...second } = again;
    expect(second).toEqual(first);
  }, 300_000);

  it('draws as many probes of each kind as the calibrationProbes setting asks, and refuses fewer than 8', async () => {
    const { chunks, vocabulary } = corpus(150);
    const embedder = new KeywordEmbedder({ vocabulary });
    const { calibration } = await sealedKb(embedder, chunks, { calibrationProbes: 12 });
    expect(calibration!.probes).toBe(12);
    expect(calibration!.guard!.probes).toBe(12);
    const error = await expectCode(
      openEngine({ dataDir: join(tmpdir(), 'never-made'), embedder, calibrationProbes: 7 }),
      'INVALID_INPUT',
    );
    expect(error.message).toMatch(/calibrationProbes must be between 8 and 2000; got 7/);
  }, 60_000);

  it("measures held-out probes on the rest of a chunk only, reading the generation's own table", async () => {
    // As above but through the engine (LanceDB's take): with sentences that share nothing, neither side can
    // find a held-out rest. More chunks than probes, so the others are distractors.
    const { chunks, vocabulary } = corpus(400, 3, false);
    const { calibration } = await sealedKb(new KeywordEmbedder({ vocabulary }), chunks);
    expect(calibration!.probeKind).toBe('held-out');
    expect(calibration!.probeMrr.lexical).toBeLessThan(0.15);
    expect(calibration!.probeMrr.vector).toBeLessThan(0.15);
    expect(calibration!.guard!.probes).toBe(calibration!.probes);
  }, 180_000);

  it('leaves a never-sealed generation below the background minimum uncalibrated; hybrid then says so and uses equal priors', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('kb', corpus(20).chunks); // the first write activates without a seal
    const [info] = await t.engine.listGenerations('kb');
    expect(info!.fusionCalibration).toBeNull();
    const r = await t.engine.search({ kb: 'kb', text: 'kalomi tunera' });
    expect(r.fusionWeights!.source).toBe('uncalibrated');
    expect(r.fusionWeights!.prior).toBeUndefined();
    const rrf = await t.engine.search({ kb: 'kb', text: 'kalomi tunera', fusion: 'rrf' });
    expect(rrf.fusionWeights).toEqual({ vector: 0.5, lexical: 0.5, source: 'rank' });
    const lexical = await t.engine.search({ kb: 'kb', text: 'kalomi', mode: 'lexical' });
    expect(lexical.fusionWeights).toBeNull();
  });
});

describe('calibration pieces', () => {
  it('keeps the weight nearest the target among those one standard error from the best, and no further', () => {
    // 20 queries; the mixes move a few of them up or down: a flat curve within noise.
    const base = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 0.5 : 1));
    const flip = (changes: Record<number, number>) => base.map((x, i) => changes[i] ?? x);
    const flat = [
      { w: 0, scores: base },
      { w: 0.25, scores: flip({ 0: 1, 1: 0.5 }) },
      { w: 0.5, scores: flip({ 0: 1, 4: 1, 2: 0.5 }) }, // the best mean, by one query
      { w: 0.75, scores: flip({ 1: 0.2, 2: 0.2, 3: 0.2, 5: 0.2, 6: 0.2, 7: 0.2 }) }, // clearly worse
      { w: 1, scores: base.map(() => 0.1) },
    ];
    expect(pickWeight(flat, 0)).toBe(0);
    expect(pickWeight(flat, 0.4)).toBe(0.5);
    // A target outside the band never wins: 0.75 ranks clearly worse.
    expect(pickWeight(flat, 0.8)).toBe(0.5);

    // A mix that helps on many queries is kept: the lone sides fall outside its band.
    const helps = [
      { w: 0, scores: base },
      { w: 0.5, scores: base.map(() => 1) },
      { w: 1, scores: base.map((x) => x / 2) },
    ];
    expect(pickWeight(helps, 0)).toBe(0.5);
    expect(pickWeight(helps, 1)).toBe(0.5);

    // Guarded: only weights the guard probes cannot tell from their best are allowed.
    const guard = (points: Array<{ w: number }>, allowed: number[]) =>
      points.map((c) => ({ w: c.w, scores: base.map(() => (allowed.includes(c.w) ? 1 : 0.2)) }));
    expect(pickGuardedWeight(helps, 0, guard(helps, [0, 0.5]))).toBe(0.5); // the mix is allowed: kept
    // The mix is not allowed: the allowed weight that scores best on the curve (0 beats 1 here).
    expect(pickGuardedWeight(helps, 1, guard(helps, [0, 1]))).toBe(0);
    // Near-best and allowed: nearest the target among those (0.5 would be nearer, but is not allowed).
    expect(pickGuardedWeight(flat, 0.4, guard(flat, [0, 0.25]))).toBe(0.25);
    expect(nearBest(flat).map((c) => c.w)).toEqual([0, 0.25, 0.5]);
  });

  it('leans to the stronger side alone only when it is better beyond noise, else to equal weights', () => {
    const strong = Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? 0.5 : 1));
    const weak = strong.map((x, i) => (i % 3 === 0 ? x : x / 3));
    expect(probeTarget(weak, strong)).toBe(0);
    expect(probeTarget(strong, weak)).toBe(1);
    // The same quality with different misses: neither side is better beyond noise.
    const other = strong.map((_, i) => (i % 5 === 1 ? 0.5 : 1));
    expect(probeTarget(other, strong)).toBe(0.5);
    expect(pairedDifference([1, 1, 1], [0, 0, 0])).toEqual({ mean: 1, se: 0 });
    expect(pairedDifference([1, 0], [0, 1]).se).toBeCloseTo(1, 9);
  });

  /** A probe source over `chunks` in memory, vectors by `embedder`; both sides of `search` rank by shared words. */
  async function memorySource(
    chunks: ChunkInput[],
    embedder: Embedder,
    asked: string[] = [],
    /** Return rows in table order, as LanceDB's take does, rather than in the order asked. */
    tableOrder = false,
  ): Promise<ProbeSource> {
    const vectors = await embedder.embedDocuments(chunks.map((c) => c.content));
    return {
      chunkCount: chunks.length,
      metric: 'cosine',
      chunksAt: (offsets) =>
        Promise.resolve(
          (tableOrder ? [...offsets].sort((a, b) => a - b) : offsets).map((o) => ({
            offset: o,
            chunkId: chunks[o]!.chunkId,
            text: chunks[o]!.content,
            vector: vectors[o]!,
          })),
        ),
      embedDocuments: (texts) => embedder.embedDocuments(texts),
      embedQuery: (text) => embedder.embedQuery(text),
      search: (_mode, text, depth) => {
        asked.push(text);
        const words = new Set(text.split(' '));
        return Promise.resolve(
          chunks
            .map((c) => ({ id: c.chunkId, score: c.content.split(' ').filter((w) => words.has(w)).length }))
            .sort((a, b) => b.score - a.score)
            .slice(0, depth),
        );
      },
    };
  }

  const probeDirs = async () => (await readdir(tmpdir())).filter((n) => n.startsWith(PROBE_DIR_PREFIX));

  it('draws held-out probes: the same for the same seed, others for another seed, at most CALIBRATION_PROBES, and leaves no table behind', async () => {
    const { chunks, vocabulary } = corpus(300);
    const asked: string[] = [];
    const source = await memorySource(chunks, new KeywordEmbedder({ vocabulary }), asked);
    const before = await probeDirs();
    const a = (await drawProbes(source, 1))!;
    const again = (await drawProbes(source, 1))!;
    const other = (await drawProbes(source, 2))!;
    expect(a.kind).toBe('held-out');
    expect(a.probes).toHaveLength(CALIBRATION_PROBES);
    expect(again.probes).toEqual(a.probes);
    expect(other.probes.map((p) => p.source)).not.toEqual(a.probes.map((p) => p.source));
    // Held-out probes search their own table; only the verbatim guard searches the KB (2 sides × 3 draws).
    expect(a.guard).toHaveLength(CALIBRATION_PROBES);
    expect(asked).toHaveLength(2 * 3 * CALIBRATION_PROBES);
    // Both sides find the rest of a chunk by the topic words it shares with the held-out sentence.
    const found = (side: 'vector' | 'lexical') =>
      a.probes.filter((p) => p[side][0]?.id === p.source).length / a.probes.length;
    expect(found('lexical')).toBeGreaterThan(0.6);
    expect(found('vector')).toBeGreaterThan(0.6);
    expect(await probeDirs()).toEqual(before);
    const aborted = new AbortController();
    aborted.abort();
    expect(await drawProbes(source, 1, aborted.signal)).toBeNull();
    expect(await probeDirs()).toEqual(before);
  }, 180_000);

  it('never leaves a probe chunk whole among the distractors, in whatever order the store returns rows', async () => {
    // Sentences that share nothing: the rest of a chunk cannot be found from its other sentence, so a probe
    // answered near the top means the whole chunk (query included) was left in the probe table.
    const { chunks, vocabulary } = corpus(300, 3, false);
    for (const tableOrder of [false, true]) {
      const source = await memorySource(chunks, new KeywordEmbedder({ vocabulary }), [], tableOrder);
      const { probes } = (await drawProbes(source, 1))!;
      const top = probes.filter((p) => p.lexical[0]?.id === p.source || p.vector[0]?.id === p.source);
      expect(top.length).toBeLessThan(probes.length * 0.1);
    }
  }, 180_000);

  it('falls back to verbatim probes searched in the KB itself when chunks are one sentence each', async () => {
    const { chunks, vocabulary } = corpus(100);
    const short = chunks.map((c) => ({ ...c, content: c.content.split('. ')[0]! + '.' }));
    // Verbatim chunks are read in one take: each probe is answered by the chunk at its own offset, in
    // whatever order the store returns the rows.
    const sources: string[][] = [];
    for (const tableOrder of [false, true]) {
      const asked: string[] = [];
      const embedder = new KeywordEmbedder({ vocabulary });
      const drawn = (await drawProbes(await memorySource(short, embedder, asked, tableOrder), 1))!;
      sources.push(drawn.probes.map((p) => p.source));
      expect(drawn.kind).toBe('verbatim');
      expect(drawn.guard).toBeUndefined();
      expect(drawn.probes).toHaveLength(100); // every chunk once: fewer chunks than probes
      expect(asked).toHaveLength(2 * 100);
      for (const [i, p] of drawn.probes.entries())
        expect(short.find((c) => c.chunkId === p.source)!.content).toContain(asked[2 * i]!);
    }
    // The same seed draws the same chunks in the same order, however the rows came back.
    expect(sources[1]).toEqual(sources[0]);
  });

  it('scans probe vectors in memory exactly as LanceDB searches them, for every metric', async () => {
    const random = mulberry32(7);
    const vector = () => Float32Array.from({ length: 16 }, () => random() * 2 - 1);
    const rows = Array.from({ length: 60 }, (_, i) => ({
      chunkId: `c${i}`,
      text: `row ${i}`,
      vector: vector(),
    }));
    rows.push({ chunkId: 'zero', text: 'zero row', vector: new Float32Array(16) });
    const dir = await mkdtemp(join(tmpdir(), 'probe-scan-'));
    try {
      const reference = await (
        await connect(dir)
      ).createTable(
        'rows',
        rows.map((r) => ({ id: r.chunkId, vector: [...r.vector] })),
      );
      for (const metric of ['cosine', 'dot', 'l2'] as const) {
        const table = await ProbeTable.create(rows, metric);
        try {
          for (const query of [vector(), vector(), new Float32Array(16)]) {
            const expected = (
              (await reference.vectorSearch(query).distanceType(metric).limit(20).toArray()) as Array<{
                id: string;
                _distance: number;
              }>
            ).map((r) => ({ id: r.id, score: similarity(metric, r._distance) }));
            const found = await table.search({ vector: query }, 20);
            // Cosine leaves out a zero vector on either side (a zero query finds nothing), as LanceDB does.
            expect(found).toHaveLength(expected.length);
            // Where scores tie (a zero query under dot) either side may cut the ties at another row.
            if (new Set(expected.map((h) => h.score)).size === expected.length)
              expect(found.map((h) => h.id)).toEqual(expected.map((h) => h.id));
            for (const [i, hit] of found.entries()) expect(hit.score).toBeCloseTo(expected[i]!.score, 5);
          }
        } finally {
          await table.dispose();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds out a whole sentence: the query is a run of its words, the rest no longer contains it', () => {
    const text =
      'Title line here\nThe quick brown fox jumps over the lazy dog today. Cats sleep all day long in the sun.';
    const a = heldOutSplit(text, mulberry32(1))!;
    expect(heldOutSplit(text, mulberry32(1))).toEqual(a);
    const words = a.query.split(' ');
    expect(words.length).toBeGreaterThanOrEqual(4);
    expect(words.length).toBeLessThanOrEqual(10);
    expect(text).toContain(a.query);
    expect(a.rest).not.toContain(a.query);
    // The rest is the text without exactly one whole sentence (or line).
    const pieces = text.split(/(?<=[.!?])\s+|\n+/);
    const cut = pieces.filter((piece) => !a.rest.includes(piece));
    expect(cut).toHaveLength(1);
    expect(cut[0]).toContain(a.query);
    // Seeds pick other sentences.
    const queries = new Set(
      Array.from({ length: 20 }, (_, seed) => heldOutSplit(text, mulberry32(seed))!.query),
    );
    expect(queries.size).toBeGreaterThan(2);
    // One sentence, or too little left once it is cut: nothing to hold out.
    expect(heldOutSplit('The quick brown fox jumps over the lazy dog.', mulberry32(1))).toBeUndefined();
    expect(heldOutSplit('The quick brown fox jumps. Over the dog.', mulberry32(1))).toBeUndefined();
  });

  it('removes probe tables a killed process left behind, and only old ones', async () => {
    const stale = join(tmpdir(), `${PROBE_DIR_PREFIX}stale-test`);
    const fresh = join(tmpdir(), `${PROBE_DIR_PREFIX}fresh-test`);
    await mkdir(stale, { recursive: true });
    await mkdir(fresh, { recursive: true });
    const old = new Date(Date.now() - STALE_MS - 60_000);
    await utimes(stale, old, old);
    await removeStaleProbeDirs();
    const left = await probeDirs();
    expect(left).not.toContain(`${PROBE_DIR_PREFIX}stale-test`);
    expect(left).toContain(`${PROBE_DIR_PREFIX}fresh-test`);
    // (Not removed with a later clock here: other test files may be calibrating in this tmpdir right now.)
    await rm(fresh, { recursive: true });
  });

  it('cuts a short run of words from one sentence, deterministically per seed', () => {
    const content = 'Short. The quick brown fox jumps over the lazy dog again and again today.';
    const a = probeText(content, mulberry32(1));
    expect(a).toBe(probeText(content, mulberry32(1)));
    const words = a!.split(' ');
    expect(words.length).toBeGreaterThanOrEqual(4);
    expect(words.length).toBeLessThanOrEqual(10);
    expect(content).toContain(a!);
    expect(probeText('Too few words.', mulberry32(1))).toBeUndefined();
  });
});
