// `rag-studio-mcp ingest` end to end: the built CLI on a temp folder, then search, edits, re-runs, exit codes.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestArgs } from '../../src/cli/ingest/index.js';
import { progressDisplay } from '../../src/cli/ingest/progress-display.js';
import { HashEmbedder } from '../../src/engine/embedding/hash-embedder.js';
import { openEngine } from '../../src/engine/index.js';
import { BUILT_MAIN, requireBuild, run, serverEnv } from '../helpers/built-server.js';
import { docsFolder, makePdf, writeFiles } from '../helpers/document-files.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let data: TempDir;
let docs: TempDir;

beforeAll(async () => {
  requireBuild();
  data = await makeTempDir('rag-studio-cli-data-');
  docs = await makeTempDir('rag-studio-cli-docs-');
  await writeFiles(docs.path, await docsFolder());
});
afterAll(async () => {
  await data.remove();
  await docs.remove();
});

const ingest = (...args: string[]) =>
  run('node', [BUILT_MAIN, 'ingest', ...args], { env: serverEnv(data.path), timeoutMs: 120_000 });

async function search(word: string) {
  const engine = await openEngine({ dataDir: data.path, embedder: new HashEmbedder(), gcIntervalSeconds: 0 });
  try {
    return (await engine.search({ kb: 'docs', text: word, mode: 'lexical' })).results;
  } finally {
    await engine.close();
  }
}

describe('rag-studio-mcp ingest', () => {
  it('ingests a folder, then re-syncs exactly the edits, deletions and additions', async () => {
    const first = await ingest(docs.path, '--kb', 'docs', '--json');
    // stdout is the report alone; progress goes to stderr, one plain line per step.
    for (const line of first.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^ingest: /);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      kb: 'docs',
      generation: 1,
      added: 10,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      skipped: [],
      failed: [],
    });
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'kb',
        'generation',
        'added',
        'updated',
        'unchanged',
        'deleted',
        'chunks',
        'skipped',
        'failed',
        'took_ms',
      ]),
    );
    expect((await search('narwhal'))[0]).toMatchObject({
      documentId: 'manual.pdf',
      citation: { pageNumber: 2 },
    });
    expect((await search('pangolin'))[0]).toMatchObject({
      documentId: 'site/index.html',
      citation: { anchor: '#faq' },
    });

    await writeFile(join(docs.path, 'guide.md'), '# User Guide\n\n## Setup\n\nThe zebra setup.\n');
    await rm(join(docs.path, 'report.docx'));
    await writeFiles(docs.path, {
      'extra/page.pdf': await makePdf([['nothing'], ['page two has the lemur']]),
    });
    const second = await ingest(docs.path, '--kb', 'docs', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      added: 1,
      updated: 1,
      unchanged: 8,
      deleted: 1,
      failed: [],
    });
    expect(await search('axolotl')).toHaveLength(0);
    expect(await search('aardvark')).toHaveLength(0);
    expect((await search('zebra'))[0]).toMatchObject({
      documentId: 'guide.md',
      citation: { anchor: '#setup' },
    });
    expect((await search('lemur'))[0]).toMatchObject({
      documentId: 'extra/page.pdf',
      citation: { pageNumber: 2 },
    });

    const human = await ingest(docs.path, '--kb', 'docs');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^docs \(generation 1\): 0 added, 0 updated, 10 unchanged, 0 deleted/);
    // Not a terminal: plain progress lines, no bar.
    expect(human.stderr).toMatch(/^ingest: ingesting 0\/10 files/m);
    expect(human.stderr).not.toContain('\r');
  }, 180_000);

  it('exits 1 when a file failed (the rest is ingested) and 2 on bad usage', async () => {
    const bad = await makeTempDir('rag-studio-cli-bad-');
    try {
      await writeFiles(bad.path, {
        'ok.md': '# Ok\n\nfine\n',
        'broken.docx': Buffer.from('PK\u0003\u0004garbage'),
      });
      const result = await ingest(bad.path, '--kb', 'bad', '--json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        added: number;
        failed: Array<{ path: string; reason: string }>;
      };
      expect(report.added).toBe(1);
      expect(report.failed).toEqual([
        { path: join(bad.path, 'broken.docx'), reason: expect.stringMatching(/DOCX/) },
      ]);
    } finally {
      await bad.remove();
    }
    expect((await ingest(docs.path)).code).toBe(2);
    expect((await ingest('--kb', 'docs')).code).toBe(2);
    const missing = await ingest(join(docs.path, 'nope'), '--kb', 'docs');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory/);
    expect((await ingest(docs.path, '--kb', 'docs', '--chunk-tokens', 'x')).code).toBe(2);
  }, 120_000);

  it('--rebuild promotes a new generation; --dry-run writes nothing', async () => {
    const dry = await ingest(docs.path, '--kb', 'fresh', '--dry-run', '--json');
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, added: 10, generation: null });
    const rebuilt = await ingest(docs.path, '--kb', 'docs', '--rebuild', '--chunk-tokens', '120', '--json');
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ rebuild: true, generation: 2, added: 10, failed: [] });
    const engine = await openEngine({
      dataDir: data.path,
      embedder: new HashEmbedder(),
      gcIntervalSeconds: 0,
    });
    try {
      expect((await engine.listKnowledgeBases()).map((k) => [k.name, k.activeGeneration])).toEqual([
        ['bad', 1],
        ['docs', 2],
      ]);
    } finally {
      await engine.close();
    }
  }, 120_000);
});

describe('argument parsing and progress', () => {
  it('separates ingest flags from server settings', () => {
    const options = parseIngestArgs([
      'a',
      'b',
      '--kb',
      'k',
      '--include',
      '*.md',
      '--include',
      '*.txt',
      '--data-dir',
      '/d',
      '--offline',
    ]);
    expect(options).toMatchObject({
      paths: ['a', 'b'],
      kb: 'k',
      include: ['*.md', '*.txt'],
      serverArgs: ['--data-dir', '/d', '--offline'],
    });
    expect(() => parseIngestArgs(['a', '--kb', 'k', '--overlap', '400'])).toThrow(
      /smaller than --chunk-tokens/,
    );
    expect(() => parseIngestArgs(['a', '--kb', 'k', '--rebuild', '--watch'])).toThrow(/do not combine/);
  });

  it('draws a bar with files, chunks and ETA on a terminal', () => {
    let out = '';
    let now = 0;
    const display = progressDisplay(
      (s) => (out = s),
      true,
      () => now,
    );
    display.update({ phase: 'ingesting', filesDone: 0, filesTotal: 10, chunks: 0 });
    now = 4000;
    display.update({ phase: 'ingesting', filesDone: 4, filesTotal: 10, chunks: 12 });
    expect(out).toContain('[##########--------------] 4/10 files, 12 chunks ETA 6s');
  });
});
