// GC racing other work: a search pinned through the server outlives run_gc; listings and commits racing GC do no harm.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashEmbedder } from '../../src/engine/embedding/index.js';
import { openEngine, type KnowledgeBaseEngine } from '../../src/engine/index.js';
import type { RunningHttpServer } from '../../src/server/http.js';
import { TOOLS } from '../../src/tools/index.js';
import { requireBuild } from '../helpers/built-server.js';
import { connectHttpClient, startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { KeywordEmbedder } from '../helpers/keyword-embedder.js';
import { callTool, structured } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const RACE_CHILD = fileURLToPath(new URL('../fixtures/gc-listing-race.mjs', import.meta.url));

describe('a search in flight through the server pins its generation against run_gc', () => {
  let dir: TempDir;
  let engine: KnowledgeBaseEngine;
  let http: RunningHttpServer;
  let server: TestHttpServer;
  let hold = false;
  let entered: () => void = () => undefined;
  let release: () => void = () => undefined;
  const gate = () => {
    if (!hold) return Promise.resolve();
    entered();
    return new Promise<void>((resolve) => (release = resolve));
  };

  beforeAll(async () => {
    dir = await makeTempDir();
    server = await startTestHttpServer({ dataDir: dir.path, embedder: new KeywordEmbedder({ gate }) });
    ({ engine, http } = server);
    const tagged = (generation: number) =>
      ['cat on a mat', 'dog in a car', 'fish in the sea'].map((content, i) => ({
        chunkId: `c${i}`,
        documentId: 'd',
        content,
        metadata: { gen: generation },
      }));
    await engine.upsertChunks('docs', tagged(1));
    for (const generation of [2, 3]) {
      await engine.createGeneration('docs');
      await engine.upsertChunks('docs', tagged(generation), { generation });
      await engine.promoteGeneration('docs', generation);
    }
  });
  afterAll(async () => {
    release();
    await server?.close();
    await dir?.remove();
  });

  const connect = () => connectHttpClient(http.url, { name: 'gc-pin' });

  it('keeps the pinned archived generation, deletes the unpinned one, and the search answers whole', async () => {
    const [searcher, collector] = await Promise.all([connect(), connect()]);
    hold = true;
    const inSearch = new Promise<void>((resolve) => (entered = resolve));
    const slow = callTool(searcher, 'hybrid_search', {
      kb: 'docs',
      query: 'cat',
      generation: 1,
      mode: 'vector',
    });
    await inSearch;
    hold = false;

    const gc = structured(
      await callTool(collector, 'run_gc', { retention_epochs: 0, min_age_seconds: 0 }),
      TOOLS.run_gc.outputSchema,
    );
    expect(gc.deleted.map((d) => d.generation)).toEqual([2]);
    expect(gc.kept.find((k) => k.generation === 1)?.reason).toMatch(/pinned/);

    release();
    const answer = structured(await slow, TOOLS.hybrid_search.outputSchema);
    expect(answer.generation).toBe(1);
    expect(answer.results[0]?.chunk_id).toBe('c0');
    expect(answer.results.map((r) => r.chunk_id).sort()).toEqual(['c0', 'c1', 'c2']);
    expect(answer.results.every((r) => r.metadata.gen === 1)).toBe(true);

    const after = structured(
      await callTool(collector, 'run_gc', { retention_epochs: 0, min_age_seconds: 0 }),
      TOOLS.run_gc.outputSchema,
    );
    expect(after.deleted.map((d) => d.generation)).toEqual([1]);
    await Promise.all([searcher.close(), collector.close()]);
  });
});

describe('listing generations while GC drops them', () => {
  it('neither crashes the process nor fails the listing (built engine in a child process)', async () => {
    requireBuild();
    const dir = await makeTempDir();
    try {
      const outcome = await new Promise<{
        code: number | null;
        signal: string | null;
        stdout: string;
        stderr: string;
      }>((resolve) => {
        const child = spawn(process.execPath, [RACE_CHILD, dir.path, '6'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr: stderr.slice(-2000) });
        });
      });
      // Exit 139 (SIGSEGV) or 134 (abort) means a native handle was closed under a reader.
      expect({ code: outcome.code, signal: outcome.signal, stderr: outcome.stderr }).toEqual({
        code: 0,
        signal: null,
        stderr: '',
      });
      const result = JSON.parse(outcome.stdout) as { rounds: number; errors: Record<string, number> };
      expect(result.errors).toEqual({});
      expect(result.rounds).toBe(6);
    } finally {
      await dir.remove();
    }
  }, 180_000);
});

describe('a full GC while another knowledge base changes generations', () => {
  it('neither fails nor makes a promotion fail on a commit conflict over the catalog', async () => {
    const dir = await makeTempDir();
    const engine = await openEngine({ dataDir: dir.path, embedder: new HashEmbedder() });
    try {
      const chunks = (n: number) =>
        Array.from({ length: 5 }, (_, i) => ({
          chunkId: `c${i}`,
          documentId: 'd',
          content: `alpha ${n} ${i}`,
        }));
      await engine.upsertChunks('quiet', chunks(0));
      await engine.upsertChunks('busy', chunks(0));
      let running = true;
      let rebuilds = 0;
      const failures: string[] = [];
      const rebuilder = (async () => {
        while (running) {
          try {
            const { generation } = await engine.createGeneration('busy');
            await engine.upsertChunks('busy', chunks(generation), { generation });
            await engine.promoteGeneration('busy', generation);
            rebuilds += 1;
          } catch (error) {
            failures.push(`rebuild: ${(error as Error).message.slice(0, 200)}`);
          }
        }
      })();
      const until = Date.now() + 4000;
      let runs = 0;
      // No kb: GC covers every KB and then compacts the catalog, which the rebuilder keeps committing to.
      while (Date.now() < until || runs < 5) {
        runs += 1;
        await engine
          .gc({ retentionEpochs: 1, minAgeSeconds: 0 })
          .catch((e: Error) => failures.push(`gc: ${e.message.slice(0, 200)}`));
      }
      running = false;
      await rebuilder;
      expect(rebuilds).toBeGreaterThan(3);
      expect(failures).toEqual([]);
    } finally {
      await engine.close();
      await dir.remove();
    }
  }, 60_000);
});
