// ingestDocuments on a real folder and a real engine: citations, incremental re-runs, bad files, roots, rebuilds.
import { mkdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestDocuments } from '../../src/ingest/index.js';
import { docsFolder, makePdf, writeFiles } from '../helpers/document-files.js';
import { makeOdt } from '../helpers/odt-file.js';
import { openTestEngine, type TestEngine } from '../helpers/engine.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let t: TestEngine;
let folder: TempDir;

beforeEach(async () => {
  t = await openTestEngine();
  folder = await makeTempDir('rag-studio-docs-');
  await writeFiles(folder.path, await docsFolder());
});
afterEach(async () => {
  await t.close();
  await folder.remove();
});

async function find(word: string) {
  return (await t.engine.search({ kb: 'docs', text: word, mode: 'lexical' })).results;
}

describe('ingestDocuments', () => {
  it('ingests every format; search finds the right file, page, anchor and heading path', async () => {
    await writeFile(join(folder.path, 'blob.bin'), Buffer.from([0, 1, 2, 3]));
    const report = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    expect(report).toMatchObject({
      kb: 'docs',
      generation: 1,
      added: 10,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: [],
    });
    expect(report.skipped).toEqual([
      { path: join(folder.path, 'blob.bin'), reason: expect.stringMatching(/unknown or binary/) },
    ]);

    const [pdf] = await find('narwhal');
    expect(pdf).toMatchObject({
      documentId: 'manual.pdf',
      citation: { pageNumber: 2, title: 'The Manual', anchor: '#page=2' },
    });
    const [md] = await find('aardvark');
    expect(md).toMatchObject({
      documentId: 'guide.md',
      citation: { anchor: '#installation', title: 'User Guide', sourcePath: join(folder.path, 'guide.md') },
      metadata: { heading_path: ['User Guide', 'Installation'], line_start: 9, tags: ['setup'] },
    });
    expect(md!.citation.version).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect((await find('pangolin'))[0]).toMatchObject({
      documentId: 'site/index.html',
      citation: { anchor: '#faq' },
    });
    expect((await find('axolotl'))[0]).toMatchObject({
      documentId: 'report.docx',
      citation: { title: 'Quarterly Report' },
    });
    expect((await find('okapi_helper'))[0]).toMatchObject({
      documentId: 'src/tool.py',
      metadata: { language: 'python' },
      citation: { anchor: '#L1-L9' },
    });
    for (const word of ['wombat', 'quokka', 'ibex', 'tapir', 'dugong'])
      expect(await find(word)).toHaveLength(1);
    expect(await find('navmenu')).toHaveLength(0);
  });

  it('re-runs incrementally: unchanged files are not rewritten; edits, deletions and additions are exact', async () => {
    await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    const before = await t.engine.listDocuments('docs');
    const again = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 10, deleted: 0, chunks: 0 });
    expect((await t.engine.listDocuments('docs')).documents).toEqual(before.documents);

    await writeFile(
      join(folder.path, 'guide.md'),
      '# User Guide\n\n## Installation\n\nNow the zebra installer.\n',
    );
    await rm(join(folder.path, 'notes/readme.txt'));
    await writeFiles(folder.path, { 'notes/new.md': '# New\n\nA brand new lemur page.\n' });
    const third = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    expect(third).toMatchObject({ added: 1, updated: 1, unchanged: 8, deleted: 1, failed: [] });
    expect(await find('aardvark')).toHaveLength(0);
    expect(await find('wombat')).toHaveLength(0);
    expect((await find('zebra'))[0]!.documentId).toBe('guide.md');
    expect((await find('lemur'))[0]!.documentId).toBe('notes/new.md');
    const guide = (await t.engine.listDocuments('docs')).documents.find((d) => d.documentId === 'guide.md')!;
    expect(guide.chunks).toBe(1);
  });

  it('re-syncs by size and mtime: untouched files are not read, touched-identical ones not re-embedded, same-size edits found', async () => {
    const reads: string[] = [];
    const readBytes = async (path: string) => {
      reads.push(path.replace(`${folder.path}/`, ''));
      return readFile(path);
    };
    await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], readBytes });
    expect(reads).toHaveLength(10);
    const guidePath = join(folder.path, 'guide.md');
    const listed = await t.engine.listDocuments('docs', { metadataKeys: ['file_size', 'file_mtime_ms'] });
    const info = await stat(guidePath);
    expect(listed.documents.find((d) => d.documentId === 'guide.md')!.metadata).toEqual({
      file_size: info.size,
      file_mtime_ms: info.mtimeMs,
    });

    reads.length = 0;
    const untouched = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], readBytes });
    expect(untouched).toMatchObject({ unchanged: 10, updated: 0, chunks: 0, failed: [] });
    expect(reads).toEqual([]);

    // Touched, same bytes: read and hashed, found identical, not rewritten.
    const later = new Date(info.mtimeMs + 60_000);
    await utimes(guidePath, later, later);
    const touched = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], readBytes });
    expect(touched).toMatchObject({ unchanged: 10, updated: 0, chunks: 0 });
    expect(reads).toEqual(['guide.md']);

    // Same size, new bytes, new mtime: re-read and re-embedded.
    const text = await readFile(guidePath, 'utf8');
    const edited = text.replace('aardvark', 'zebrafis');
    expect(edited).not.toBe(text);
    expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(text));
    await writeFile(guidePath, edited);
    const newer = new Date(info.mtimeMs + 120_000);
    await utimes(guidePath, newer, newer);
    reads.length = 0;
    const changed = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], readBytes });
    expect(changed).toMatchObject({ unchanged: 9, updated: 1, failed: [] });
    expect(reads).toEqual(['guide.md']);
    expect((await find('zebrafis'))[0]!.documentId).toBe('guide.md');
    expect(await find('aardvark')).toHaveLength(0);
  });

  it('ODT: cited by heading anchor and path; an edit replaces its chunks, a broken one is reported', async () => {
    const odt = (finding: string) =>
      makeOdt(
        '<text:h text:outline-level="1">Survey</text:h><text:p>Overview.</text:p>' +
          `<text:h text:outline-level="2">Results</text:h><text:p>${finding}</text:p>`,
        { title: 'Field Survey' },
      );
    await writeFiles(folder.path, {
      'survey.odt': await odt('The tardigrade survived.'),
      'bad/broken.odt': Buffer.from('PK\u0003\u0004garbage'),
    });
    const first = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    expect(first.added).toBe(11);
    expect(first.failed.map((f) => [f.path.replace(`${folder.path}/`, ''), f.reason])).toEqual([
      ['bad/broken.odt', expect.stringMatching(/not a readable ODT file/)],
    ]);
    expect((await find('tardigrade'))[0]).toMatchObject({
      documentId: 'survey.odt',
      citation: { anchor: '#results', title: 'Field Survey' },
      metadata: { heading_path: ['Survey', 'Results'], format: 'odt' },
    });
    await writeFiles(folder.path, { 'survey.odt': await odt('The rotifer survived.') });
    const second = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    expect(second).toMatchObject({ updated: 1, added: 0 });
    expect(await find('tardigrade')).toHaveLength(0);
    expect((await find('rotifer'))[0]).toMatchObject({ documentId: 'survey.odt' });
  });

  it('reports unreadable files and goes on: truncated PDF, broken DOCX, over the size cap, empty', async () => {
    const pdf = await makePdf([['text']]);
    await writeFiles(folder.path, {
      'bad/cut.pdf': pdf.subarray(0, 300),
      'bad/broken.docx': Buffer.from('PK\u0003\u0004garbage'),
      'bad/empty.md': '',
      'bad/huge.txt': 'x '.repeat(20_000),
    });
    const report = await ingestDocuments(t.engine, {
      kb: 'docs',
      paths: [folder.path],
      maxFileBytes: 30_000,
    });
    expect(report.added).toBe(10);
    expect(report.failed.map((f) => f.path.replace(`${folder.path}/`, '')).sort()).toEqual([
      'bad/broken.docx',
      'bad/cut.pdf',
    ]);
    expect(
      report.skipped.map((s) => [s.path.replace(`${folder.path}/`, ''), s.reason.split(' ')[0]]).sort(),
    ).toEqual([
      ['bad/empty.md', 'empty'],
      ['bad/huge.txt', '40000'],
    ]);
  });

  it('a dry run writes nothing but counts what it would do', async () => {
    const report = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], dryRun: true });
    expect(report).toMatchObject({ dryRun: true, added: 10, generation: null });
    expect(report.chunks).toBeGreaterThan(10);
    expect(await t.engine.listKnowledgeBases()).toEqual([]);
  });

  it('respects .gitignore, the default ignores, --include and --exclude; deletions stay within the filters', async () => {
    await writeFiles(folder.path, {
      '.gitignore': 'secret/\n',
      'secret/hidden.md': '# Hidden\n\nunicorn\n',
      'node_modules/pkg/readme.md': '# Dep\n\nunicorn\n',
      '.env': 'TOKEN=unicorn',
    });
    const md = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], include: ['*.md'] });
    expect(md).toMatchObject({ added: 1, skipped: [] });
    expect(await find('unicorn')).toHaveLength(0);
    const rest = await ingestDocuments(t.engine, {
      kb: 'docs',
      paths: [folder.path],
      exclude: ['*.md', 'data/**'],
    });
    // guide.md is outside this run's filters, so it is neither re-read nor deleted.
    expect(rest).toMatchObject({ added: 6, deleted: 0 });
    expect((await t.engine.listDocuments('docs')).total).toBe(7);
  });

  it('takes globs and single files; refuses paths outside the allowed roots and missing paths', async () => {
    const glob = await ingestDocuments(t.engine, { kb: 'docs', paths: [`${folder.path}/notes/*.{txt,rst}`] });
    expect(glob.added).toBe(2);
    const one = await ingestDocuments(t.engine, { kb: 'docs', paths: [join(folder.path, 'manual.pdf')] });
    expect(one.added).toBe(1);
    await expect(
      ingestDocuments(t.engine, {
        kb: 'docs',
        paths: [folder.path],
        allowedRoots: [join(folder.path, 'notes')],
      }),
    ).rejects.toThrow(/outside the allowed roots .*notes.*RAG_STUDIO_INGEST_ROOTS/);
    await expect(
      ingestDocuments(t.engine, { kb: 'docs', paths: [join(folder.path, 'nope')] }),
    ).rejects.toThrow(/no such file or directory/);
  });

  it('follows a symlink loop once and never reads through a link that leaves the roots', async () => {
    const outside = await makeTempDir('rag-studio-outside-');
    try {
      await writeFiles(outside.path, { 'secret.md': '# S\n\nunicorn\n' });
      await mkdir(join(folder.path, 'loop'));
      await symlink(folder.path, join(folder.path, 'loop/back'));
      await symlink(outside.path, join(folder.path, 'escape'));
      const report = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
      expect(report.added).toBe(10);
      expect(report.skipped.map((s) => s.reason)).toEqual([
        expect.stringMatching(/outside the roots/),
        expect.stringMatching(/symbolic link loop/),
      ]);
      expect(await find('unicorn')).toHaveLength(0);
    } finally {
      await outside.remove();
    }
  });

  it('rebuild: ingests into a new generation and promotes it; the old one stays searchable until then', async () => {
    await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    await rm(join(folder.path, 'guide.md'));
    const seenDuring: number[] = [];
    const report = await ingestDocuments(t.engine, {
      kb: 'docs',
      paths: [folder.path],
      rebuild: true,
      chunkTokens: 100,
      onProgress: (p) => {
        if (p.phase === 'ingesting' && p.filesDone === 5) {
          void find('aardvark').then((hits) => seenDuring.push(hits.length));
        }
      },
    });
    expect(report).toMatchObject({ rebuild: true, generation: 2, added: 9, promoted: true });
    const generations = await t.engine.listGenerations('docs');
    expect(generations.map((g) => [g.generation, g.status])).toEqual([
      [1, 'archived'],
      [2, 'active'],
    ]);
    expect(await find('aardvark')).toHaveLength(0);
    expect(seenDuring).toEqual([1]);
  });

  it('rebuild: a file that fails keeps the new generation out of service, so no document drops out of search', async () => {
    await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    await writeFiles(folder.path, { 'broken.docx': Buffer.from('PK\u0003\u0004garbage') });
    const report = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], rebuild: true });
    expect(report).toMatchObject({ rebuild: true, generation: 2, added: 10, promoted: false });
    expect(report.failed.map((f) => f.path)).toEqual([join(folder.path, 'broken.docx')]);
    expect(report.notPromotedReason).toMatch(/1 file\(s\) failed.*generation 2.*promote_generation/);
    const generations = await t.engine.listGenerations('docs');
    expect(generations.map((g) => [g.generation, g.status])).toEqual([
      [1, 'active'],
      [2, 'building'],
    ]);
    expect(await find('aardvark')).toHaveLength(1);
    await rm(join(folder.path, 'broken.docx'));
    const again = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], rebuild: true });
    expect(again).toMatchObject({ generation: 3, promoted: true, failed: [] });
  });
});

describe('rebuild with golden queries', () => {
  it('is gated like promote_generation: a rebuild that loses a golden answer is not promoted', async () => {
    await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path] });
    const [hit] = await find('aardvark');
    expect(hit).toBeDefined();
    await t.engine.setGoldenQueries('docs', {
      queries: [{ text: 'aardvark', expected: [hit!.documentId] }],
      tolerance: 0,
    });
    const kept = await ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], rebuild: true });
    expect(kept).toMatchObject({ rebuild: true, generation: 2 });

    await rm(join(folder.path, 'guide.md'));
    await expect(
      ingestDocuments(t.engine, { kb: 'docs', paths: [folder.path], rebuild: true }),
    ).rejects.toMatchObject({
      code: 'GATE_FAILED',
      message: expect.stringMatching(/recall@10.*100\.0%.*0\.0%/),
    });
    const generations = await t.engine.listGenerations('docs');
    expect(generations.map((g) => [g.generation, g.status])).toEqual([
      [1, 'archived'],
      [2, 'active'],
      [3, 'ready'],
    ]);
    expect(await find('aardvark')).toHaveLength(1);
  });
});

describe('upsertChunks with replaceDocuments', () => {
  it('removes the chunks of the named documents that the call does not carry, in the same write', async () => {
    const chunk = (id: string, doc: string, content: string) => ({ chunkId: id, documentId: doc, content });
    await t.engine.upsertChunks('kb', [
      chunk('a1', 'a', 'cat one'),
      chunk('a2', 'a', 'cat two'),
      chunk('a3', 'a', 'cat three'),
      chunk('b1', 'b', 'dog'),
    ]);
    const result = await t.engine.upsertChunks('kb', [chunk('a2', 'a', 'cat two again')], {
      replaceDocuments: true,
    });
    expect(result).toMatchObject({ inserted: 0, updated: 1, deleted: 2 });
    const docs = (await t.engine.listDocuments('kb')).documents;
    expect(docs.map((d) => [d.documentId, d.chunks])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });
});
