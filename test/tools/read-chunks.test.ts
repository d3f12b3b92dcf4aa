// read_chunks and read_document through a real MCP client: neighbours in document order, budgets, paging.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as readChunks from '../../src/tools/read-chunks.js';
import * as readDocument from '../../src/tools/read-document.js';
import { callTool, startTestServer, structured, textOf, type TestServer } from '../helpers/mcp-client.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  // Sent out of order across two calls: ordinals given explicitly in the second, call order in the first.
  const words = ['zero', 'one', 'two', 'three', 'four', 'five'];
  const chunk = (i: number) => ({
    chunk_id: `manual-${words[i]}`,
    document_id: 'manual',
    content: `Section ${words[i]}. ${'Filler words for the page budget. '.repeat(10)}`,
    source_path: 'docs/manual.md',
  });
  await callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks: [0, 1, 2].map(chunk) });
  await callTool(t.client, 'upsert_chunks', {
    kb: 'docs',
    chunks: [5, 3, 4].map((i) => ({ ...chunk(i), ordinal: i })),
  });
  await callTool(t.client, 'upsert_chunks', {
    kb: 'docs',
    chunks: [{ chunk_id: 'other-0', document_id: 'other', content: 'Another document.' }],
  });
});
afterEach(async () => t.close());

const read = async (args: Record<string, unknown>) =>
  structured(await callTool(t.client, 'read_chunks', { kb: 'docs', ...args }), readChunks.outputSchema);
const page = async (args: Record<string, unknown>) =>
  structured(
    await callTool(t.client, 'read_document', { kb: 'docs', document_id: 'manual', ...args }),
    readDocument.outputSchema,
  );

describe('read_chunks', () => {
  it('returns the chunk with its neighbours in document order', async () => {
    const out = await read({ chunk_id: 'manual-three', before: 2, after: 1 });
    expect(out.chunks.map((c) => c.chunk_id)).toEqual([
      'manual-one',
      'manual-two',
      'manual-three',
      'manual-four',
    ]);
    expect(out.index).toBe(2);
    expect(out.document_chunks).toBe(6);
    expect(out.chunks.map((c) => c.ordinal)).toEqual([1, 2, 3, 4]);
    const edge = await read({ chunk_id: 'manual-zero', before: 3, after: 0 });
    expect(edge.chunks.map((c) => c.chunk_id)).toEqual(['manual-zero']);
  });

  it('keeps the nearest neighbours within max_tokens', async () => {
    const out = await read({ chunk_id: 'manual-three', before: 3, after: 2, max_tokens: 250 });
    const ids = out.chunks.map((c) => c.chunk_id);
    expect(ids).toContain('manual-three');
    expect(ids.length).toBeLessThan(6);
    expect(ids.length).toBeGreaterThan(1);
    // Contiguous around the chunk.
    const ordinals = out.chunks.map((c) => c.ordinal!);
    expect(ordinals).toEqual(ordinals.map((_, i) => ordinals[0]! + i));
  });

  it('names an unknown chunk and what to pass instead', async () => {
    const result = await callTool(t.client, 'read_chunks', { kb: 'docs', chunk_id: 'nope' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^INVALID_INPUT: no chunk "nope".*hybrid_search/);
  });
});

describe('read_document', () => {
  it('pages through a document in order until next_offset is null', async () => {
    const seen: string[] = [];
    let offset: number | null = 0;
    let pages = 0;
    while (offset !== null) {
      const out = await page({ offset, max_tokens: 200 });
      expect(out.chunks.length).toBeGreaterThan(0);
      seen.push(...out.chunks.map((c) => c.chunk_id));
      offset = out.next_offset;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(['zero', 'one', 'two', 'three', 'four', 'five'].map((w) => `manual-${w}`));
  });

  it('cuts a first chunk larger than the budget instead of returning nothing', async () => {
    const out = await page({ max_tokens: 10 });
    expect(out.chunks).toHaveLength(1);
    expect(out.chunks[0]!.truncated).toBe(true);
    expect(out.chunks[0]!.content.length).toBeLessThan(60);
    expect(out.next_offset).toBe(1);
  });
});

describe('default ordinals of upsert_chunks', () => {
  const upsert = (chunks: Array<Record<string, unknown>>) =>
    callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks });
  const part = (id: string, text = `Part ${id} of the split document.`) => ({
    chunk_id: `split-${id}`,
    document_id: 'split',
    content: text,
  });

  it('continue a document across calls in the order of the calls; a replaced chunk keeps its place', async () => {
    await upsert([part('a'), part('b')]);
    await upsert([part('c'), part('d')]);
    // Replacing b (no ordinal given) keeps its place; e continues after d.
    await upsert([part('b', 'Part b, revised.'), part('e')]);
    // An explicit ordinal is kept as given, and the next default continues after it.
    await upsert([{ ...part('x'), ordinal: 10 }]);
    await upsert([part('f')]);
    const out = structured(
      await callTool(t.client, 'read_document', { kb: 'docs', document_id: 'split' }),
      readDocument.outputSchema,
    );
    expect(out.chunks.map((c) => [c.chunk_id, c.ordinal])).toEqual([
      ['split-a', 0],
      ['split-b', 1],
      ['split-c', 2],
      ['split-d', 3],
      ['split-e', 4],
      ['split-x', 10],
      ['split-f', 11],
    ]);
    expect(out.chunks[1]!.content).toBe('Part b, revised.');
  });

  it('restart at 0 when replace_documents sends the whole document again', async () => {
    await upsert([part('a'), part('b'), part('c')]);
    await callTool(t.client, 'upsert_chunks', {
      kb: 'docs',
      replace_documents: true,
      chunks: [part('c'), part('a')],
    });
    const out = structured(
      await callTool(t.client, 'read_document', { kb: 'docs', document_id: 'split' }),
      readDocument.outputSchema,
    );
    expect(out.chunks.map((c) => [c.chunk_id, c.ordinal])).toEqual([
      ['split-c', 0],
      ['split-a', 1],
    ]);
  });
});
