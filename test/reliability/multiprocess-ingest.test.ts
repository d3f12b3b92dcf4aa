// Two `ingest` processes syncing one folder into one KB at once, while a server searches it: one copy of each document.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashEmbedder } from '../../src/engine/embedding/hash-embedder.js';
import { openEngine } from '../../src/engine/index.js';
import { BUILT_MAIN, requireBuild, run, serverEnv } from '../helpers/built-server.js';
import { docsFolder, writeFiles } from '../helpers/document-files.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { searchIds, startFleet, type Fleet } from './harness/multiprocess.js';

const temps: TempDir[] = [];
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  await Promise.all(temps.splice(0).map((t) => t.remove()));
});

const ENV = { RAG_STUDIO_STALENESS_MS: '200' };

/** Document id → [content hash, chunk count], as a fresh engine reads them from the store. */
async function documents(dataDir: string, kb: string): Promise<Record<string, [string | null, number]>> {
  const engine = await openEngine({ dataDir, embedder: new HashEmbedder(), gcIntervalSeconds: 0 });
  try {
    const listed = await engine.listDocuments(kb);
    const chunkIds: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await engine.search({ kb, text: 'marker', mode: 'lexical', limit: 100, offset });
      chunkIds.push(...page.results.map((r) => r.chunkId));
      if (page.results.length < 100) break;
    }
    expect(new Set(chunkIds).size).toBe(chunkIds.length);
    return Object.fromEntries(listed.documents.map((d) => [d.documentId, [d.version, d.chunks]]));
  } finally {
    await engine.close();
  }
}

describe('ingestion from several processes on one data dir', () => {
  it('two concurrent syncs of one folder leave each document once, as one sync would, while searches go on', async () => {
    requireBuild();
    const [data, docs] = [await makeTempDir('rag-mp-ingest-'), await makeTempDir('rag-mp-ingest-docs-')];
    temps.push(data, docs);
    await writeFiles(docs.path, await docsFolder());
    const notes = Object.fromEntries(
      [...Array(40).keys()].map((i) => [
        `notes/n${i}.md`,
        `# Note ${i}\n\nmarker note ${i} ${'filler words '.repeat(200)}\n`,
      ]),
    );
    await writeFiles(docs.path, notes);
    fleet = await startFleet(data.path, 1, ENV);
    const server = fleet.servers[0]!.client;
    const ingest = (kb: string) =>
      run('node', [BUILT_MAIN, 'ingest', docs.path, '--kb', kb, '--json'], {
        env: serverEnv(data.path, ENV),
        timeoutMs: 180_000,
      });

    const raceAndSearch = async () => {
      let racing = true;
      const searchErrors: string[] = [];
      const searching = (async () => {
        while (racing) {
          const { error } = await searchIds(server, 'shared', 'marker');
          if (error && !/KB_NOT_FOUND/.test(error)) searchErrors.push(error);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const runs = await Promise.all([ingest('shared'), ingest('shared')]);
      racing = false;
      await searching;
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expect(searchErrors).toEqual([]);
      return runs.map((r) => JSON.parse(r.stdout) as { added: number; updated: number; unchanged: number });
    };

    const first = await raceAndSearch();
    // Between them the two runs wrote every document (each one, or both, may have written a given file).
    expect(Math.max(...first.map((r) => r.added + r.updated + r.unchanged))).toBe(50);
    expect((await ingest('reference')).code).toBe(0);
    expect(await documents(data.path, 'shared')).toEqual(await documents(data.path, 'reference'));

    // Edits, a deletion and an addition, synced by two processes at once again.
    await writeFile(join(docs.path, 'notes/n1.md'), '# Note 1\n\nmarker rewritten and much shorter\n');
    await rm(join(docs.path, 'notes/n2.md'));
    await writeFile(join(docs.path, 'notes/new.md'), '# New\n\nmarker a new note\n');
    await raceAndSearch();
    expect((await ingest('reference')).code).toBe(0);
    const shared = await documents(data.path, 'shared');
    expect(shared).toEqual(await documents(data.path, 'reference'));
    expect(Object.keys(shared)).toContain('notes/new.md');
    expect(Object.keys(shared)).not.toContain('notes/n2.md');
  });
});
