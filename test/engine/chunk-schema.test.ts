// Round-trips chunks through the generation schema in a real LanceDB table.
import { afterEach, describe, expect, it } from 'vitest';
import * as lancedb from '@lancedb/lancedb';
import {
  chunksToArrow,
  chunkSchema,
  parseMetadata,
  toEpochMs,
  type StoredChunk,
} from '../../src/engine/storage/chunk-schema.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

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
  });
});
