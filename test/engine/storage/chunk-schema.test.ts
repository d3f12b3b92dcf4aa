// Round-trips chunks through the generation schema in a real LanceDB table.
import { afterEach, describe, expect, it } from 'vitest';
import * as lancedb from '@lancedb/lancedb';
import {
  chunksToArrow,
  chunkSchema,
  contentHash,
  parseHeadingPath,
  parseMetadata,
  storedChunkFromRow,
  toEpochMs,
  type StoredChunk,
} from '../../../src/engine/storage/chunk-schema.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

let dir: TempDir | undefined;
afterEach(async () => dir?.remove());

function chunk(i: number): StoredChunk {
  return {
    chunk_id: `c${i}`,
    document_id: `d${i % 2}`,
    kb_id: 'kb',
    content: `content ${i}`,
    title: i % 2 ? `title ${i}` : null,
    source_path: null,
    license: 'MIT',
    version: '1',
    anchor: null,
    page_number: i,
    metadata: JSON.stringify({ lang: i % 2 ? 'en' : 'de', n: i }),
    embedding: Float32Array.from([i, 1, 0]),
    created_at: 1_700_000_000_000 + i,
    updated_at: 1_700_000_000_500 + i,
    ordinal: i,
    content_hash: `h${i}`,
    heading_path: JSON.stringify(['Guide', `part ${i}`]),
    line_start: i * 10,
    line_end: i * 10 + 9,
    search_text: 'stale: chunksToArrow derives it',
  };
}

describe('chunk schema', () => {
  it('stores and reads back every column, with JSON metadata filterable', async () => {
    dir = await makeTempDir();
    const db = await lancedb.connect(dir.path);
    const table = await db.createTable('t', chunksToArrow([chunk(1), chunk(2), chunk(3)], 3), {
      schema: chunkSchema(3),
    });
    const rows = await table.query().where("json_get_string(metadata, 'lang') = 'en'").toArray();
    expect(rows.map((r) => r.chunk_id).sort()).toEqual(['c1', 'c3']);
    const r = rows.find((x) => x.chunk_id === 'c3')!;
    expect(Array.from(r.embedding as Float32Array)).toEqual([3, 1, 0]);
    expect(parseMetadata(r.metadata)).toEqual({ lang: 'en', n: 3 });
    expect(toEpochMs(r.created_at)).toBe(1_700_000_000_003);
    expect(r.page_number).toBe(3);
    expect(r.version).toBe('1');
    expect(r.search_text).toBe('title 3\ncontent 3');
    const back = storedChunkFromRow(r);
    expect(back).toMatchObject({
      ordinal: 3,
      content_hash: 'h3',
      line_start: 30,
      line_end: 39,
    });
    expect(parseHeadingPath(back.heading_path)).toEqual(['Guide', 'part 3']);
  });
});

describe('fields written by upsert', () => {
  it('records the ordinal within each document in the order given, unless the caller passes one', async () => {
    const { openTestEngine } = await import('../../helpers/engine.js');
    const t = await openTestEngine();
    try {
      await t.engine.upsertChunks('docs', [
        {
          chunkId: 'b0',
          documentId: 'b',
          content: 'first part b',
          headingPath: ['Guide', 'Install'],
          lineStart: 3,
          lineEnd: 9,
        },
        { chunkId: 'a0', documentId: 'a', content: 'first part a' },
        { chunkId: 'b1', documentId: 'b', content: 'second part b' },
        { chunkId: 'a9', documentId: 'a', content: 'explicit part a', ordinal: 7 },
      ]);
      const response = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'part', limit: 10 });
      const byId = new Map(response.results.map((r) => [r.chunkId, r]));
      expect([...byId.keys()].sort()).toEqual(['a0', 'a9', 'b0', 'b1']);
      expect(byId.get('b0')!.ordinal).toBe(0);
      expect(byId.get('b1')!.ordinal).toBe(1);
      expect(byId.get('a0')!.ordinal).toBe(0);
      expect(byId.get('a9')!.ordinal).toBe(7);
      expect(byId.get('b0')!.citation).toMatchObject({
        headingPath: ['Guide', 'Install'],
        lineStart: 3,
        lineEnd: 9,
      });
      expect(byId.get('b0')!.contentHash).toBe(contentHash('first part b'));
      expect(byId.get('a0')!.citation.headingPath).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('continues a document after its stored chunks when a call is large enough to scan (≥ 2,000 ids)', async () => {
    const { openTestEngine } = await import('../../helpers/engine.js');
    const t = await openTestEngine();
    try {
      const part = (i: number) => ({ chunkId: `d-${i}`, documentId: 'd', content: `part ${i} of d` });
      await t.engine.upsertChunks('docs', [0, 1, 2, 3].map(part));
      const filler = Array.from({ length: 2_000 }, (_, i) => ({
        chunkId: `f-${i}`,
        documentId: `f${i % 7}`,
        content: `filler ${i}`,
      }));
      await t.engine.upsertChunks('docs', [{ ...part(2), content: 'part 2 revised' }, part(4), ...filler]);
      const document = await t.engine.readDocument('docs', { documentId: 'd' });
      expect(document.chunks.map((c) => [c.chunkId, c.ordinal])).toEqual([
        ['d-0', 0],
        ['d-1', 1],
        ['d-2', 2],
        ['d-3', 3],
        ['d-4', 4],
      ]);
    } finally {
      await t.close();
    }
  });
});
