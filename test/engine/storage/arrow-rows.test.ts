// arrowToRows: plain objects with exactly the values apache-arrow's own Proxy rows give, for every column type.
import { describe, expect, it } from 'vitest';
import { arrowToRows, rowsToArrow } from '../../../src/engine/storage/arrow-rows.js';
import { chunkSchema, storedChunkFromRow } from '../../../src/engine/storage/chunk-schema.js';

describe('arrowToRows', () => {
  it('reads the same values as toArray() rows, nulls included', () => {
    const rows = [0, 1, 2].map((i) => ({
      chunk_id: `c${i}`,
      document_id: 'd',
      kb_id: 'kb',
      content: `text ${i} é 😀`,
      title: i === 1 ? null : `title ${i}`,
      source_path: null,
      license: null,
      version: null,
      anchor: null,
      page_number: i === 2 ? null : i,
      metadata: JSON.stringify({ n: i }),
      embedding: new Float32Array([i, 0.5, -1]),
      created_at: 1_700_000_000_000 + i,
      updated_at: 1_700_000_000_500 + i,
      ordinal: i,
      content_hash: null,
      heading_path: JSON.stringify(['a', 'b']),
      line_start: null,
      line_end: null,
    }));
    const table = rowsToArrow(chunkSchema(3), rows);
    const plain = arrowToRows(table);
    const proxies = table.toArray() as Array<Record<string, unknown>>;
    expect(plain).toHaveLength(3);
    plain.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(table.schema.fields.map((f) => f.name));
      expect(storedChunkFromRow(row)).toEqual(storedChunkFromRow(proxies[i]!));
    });
    expect(storedChunkFromRow(plain[1]!).title).toBeNull();
    expect(storedChunkFromRow(plain[2]!).content).toBe('text 2 é 😀');
  });
});
