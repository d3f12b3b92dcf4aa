// SIGKILL a process at random moments while it promotes: the KB must always reopen with one whole generation.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/engine/index.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

const CHILD = fileURLToPath(new URL('../../fixtures/promote-loop.mjs', import.meta.url));
const TRIALS = 24;
let dir: TempDir;

function tagged(g: number) {
  return Array.from({ length: 12 }, (_, i) => ({
    chunkId: `c${i}`,
    documentId: 'd',
    content: `shared words ${i}`,
    metadata: { build: g },
  }));
}

/**
 * Starts the child, waits until its engine is open and has finished `promotions` promotions, lets it go on for a
 * random while, then SIGKILLs it. Counting finished promotions (rather than only waiting a random time) makes
 * sure promotions really happen between trials on a host so slow that one takes longer than the random delay.
 */
function killDuringPromotions(promotions: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir.path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let ready = false;
    let finished = 0;
    let armed = false;
    const arm = () => {
      if (armed || !ready || finished < promotions) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') ready = true;
      if (line === 'promoted') finished++;
      arm();
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited on its own (code ${code}): ${stderr.slice(-2000)}`));
    });
  });
}

describe('promotion crash safety', () => {
  beforeAll(async () => {
    dir = await makeTempDir();
    const engine = await openEngine({ dataDir: dir.path, embedder: new KeywordEmbedder() });
    await engine.upsertChunks('kb', tagged(1));
    await engine.createGeneration('kb');
    await engine.upsertChunks('kb', tagged(2), { generation: 2 });
    await engine.sealGeneration('kb', 2);
    await engine.close();
  });
  afterAll(async () => dir?.remove());

  it(`reopens with exactly one whole active generation after each of ${TRIALS} SIGKILLs`, async () => {
    const epochs: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // Every other trial first lets one promotion finish; every kill lands at a random point of a promotion.
      await killDuringPromotions(trial % 2, Math.floor(Math.random() * 200));
      const engine = await openEngine({ dataDir: dir.path, embedder: new KeywordEmbedder() });
      try {
        const generations = await engine.listGenerations('kb');
        const active = generations.filter((g) => g.status === 'active');
        expect(active).toHaveLength(1);
        expect(generations.map((g) => g.chunkCount)).toEqual([12, 12]);
        const r = await engine.search({ kb: 'kb', mode: 'hybrid', text: 'shared words', limit: 20 });
        expect(r.generation).toBe(active[0]!.generation);
        expect(r.results).toHaveLength(12);
        expect(new Set(r.results.map((h) => h.metadata.build))).toEqual(new Set([r.generation]));
        epochs.push((await engine.describeKnowledgeBase('kb')).epoch);
      } finally {
        await engine.close();
      }
    }
    // Promotions really happened between trials (at least one in every other trial): the epoch moved on.
    expect(new Set(epochs).size).toBeGreaterThan(TRIALS / 2 - 1);
  }, 240_000); // 24 spawned engines: ~12 s on an idle machine, over 60 s when the 2 cores are oversubscribed
});
