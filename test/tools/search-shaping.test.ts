// hybrid_search result shaping through a real MCP client: token budgets, grouping, duplicate folding, content
// modes, $prefix filters, the compact text block, and unknown arguments refused with a suggestion.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/engine/token-estimate.js';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import { callTool, startTestServer, structured, textOf, type TestServer } from '../helpers/mcp-client.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  const long = (topic: string, n: number) =>
    Array.from(
      { length: n },
      (_, i) => `Sentence ${i} talks about ${i === n - 5 ? 'the lighthouse keeper' : topic}.`,
    ).join(' ');
  const chunks = [
    ...[0, 1, 2].map((i) => ({
      chunk_id: `guide-${i}`,
      document_id: 'guide',
      content: `Part ${i} of the guide: the lighthouse keeper trims the lamp. ${long('weather', 40)}`,
      source_path: 'docs/guide.md',
      anchor: `#part-${i}`,
      title: 'Guide',
    })),
    {
      chunk_id: 'faq-0',
      document_id: 'faq',
      content: 'The lighthouse keeper answers questions.',
      source_path: 'docs/faq.md',
    },
    {
      chunk_id: 'copy-a',
      document_id: 'notes-a',
      content: 'Identical lighthouse note.',
      source_path: 'notes/a.md',
    },
    {
      chunk_id: 'copy-b',
      document_id: 'notes-b',
      content: 'Identical lighthouse note.',
      source_path: 'notes/b.md',
    },
  ];
  await callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks });
});
afterEach(async () => t.close());

const search = async (args: Record<string, unknown>) =>
  structured(
    await callTool(t.client, 'hybrid_search', { kb: 'docs', mode: 'lexical', ...args }),
    hybridSearch.outputSchema,
  );

describe('hybrid_search shaping', () => {
  it('keeps results within max_tokens, trimming long contents to a passage around the terms before dropping', async () => {
    const full = await search({ query: 'lighthouse keeper' });
    const cost = (r: (typeof full.results)[number]) =>
      estimateTokens(r.content ?? '') + estimateTokens(JSON.stringify({ ...r, content: undefined }));
    expect(full.results.reduce((s, r) => s + cost(r), 0)).toBeGreaterThan(600);
    expect(full.budget).toBeUndefined();

    const out = await search({ query: 'lighthouse keeper', max_tokens: 600 });
    expect(out.budget).toMatchObject({ max_tokens: 600, counted_with: 'estimate' });
    expect(out.budget!.used_tokens).toBeLessThanOrEqual(600);
    expect(out.budget!.trimmed).toBeGreaterThan(0);
    expect(out.results.length + out.budget!.dropped).toBe(full.results.length);
    const trimmed = out.results.filter((r) => r.trimmed);
    expect(trimmed.length).toBe(out.budget!.trimmed);
    for (const r of trimmed) expect(r.content).toMatch(/lighthouse/i);
    // Counted independently with the documented estimate, the results fit.
    expect(out.results.reduce((s, r) => s + cost(r), 0)).toBeLessThanOrEqual(600);

    const tiny = await search({ query: 'lighthouse keeper', max_tokens: 5 });
    expect(tiny.results).toEqual([]);
    expect(tiny.warnings.join(' ')).toMatch(/max_tokens 5 is too small/);
  });

  it('group_by document returns distinct documents, per_document at most that many each', async () => {
    const plain = await search({ query: 'lighthouse keeper', limit: 3 });
    expect(plain.results.filter((r) => r.document_id === 'guide').length).toBeGreaterThan(1);
    const grouped = await search({ query: 'lighthouse keeper', group_by: 'document', limit: 10 });
    const docs = grouped.results.map((r) => r.document_id);
    expect(new Set(docs).size).toBe(docs.length);
    // notes-a and notes-b hold the same text: they tie, fold into one, and either may stand for both.
    const copy = docs.find((d) => d.startsWith('notes-'));
    expect(['notes-a', 'notes-b']).toContain(copy);
    expect(docs.sort()).toEqual(['faq', 'guide', copy].sort());
    const two = await search({
      query: 'lighthouse keeper',
      group_by: 'document',
      per_document: 2,
      limit: 10,
    });
    expect(two.results.filter((r) => r.document_id === 'guide')).toHaveLength(2);
  });

  it('shows exact-duplicate content once, listing the other location', async () => {
    const out = await search({ query: 'identical note' });
    const copies = out.results.filter((r) => r.content === 'Identical lighthouse note.');
    expect(copies).toHaveLength(1);
    const other = copies[0]!.chunk_id === 'copy-a' ? 'copy-b' : 'copy-a';
    expect(copies[0]!.duplicates).toEqual([
      expect.objectContaining({ chunk_id: other, source_path: `notes/${other.slice(-1)}.md` }),
    ]);
  });

  it('fills the page when folding removed a copy from the first candidates fetched', async () => {
    // The two copies rank first; with limit 2 one search fetches just 2 candidates, folds them into one, and
    // must then search again for the spare candidates rather than return a short page.
    const out = await search({ query: 'identical lighthouse note', limit: 2 });
    expect(out.results).toHaveLength(2);
    expect(out.results[0]!.duplicates).toHaveLength(1);
    expect(out.results[1]!.content).not.toBe('Identical lighthouse note.');
    const vector = await search({ query: 'identical lighthouse note', limit: 2, mode: 'vector' });
    expect(vector.results).toHaveLength(2);
  });

  it('content snippet and none leave the text out; $prefix filters by folder', async () => {
    const snippet = await search({ query: 'lighthouse', content: 'snippet' });
    expect(snippet.results[0]!.content).toBeUndefined();
    expect(snippet.results[0]!.snippet).toMatch(/lighthouse/i);
    const none = await search({ query: 'lighthouse', content: 'none' });
    expect(none.results[0]).not.toHaveProperty('snippet');
    expect(none.results[0]!.citation.source_path).toBeDefined();
    const notes = await search({ query: 'lighthouse', filter: { source_path: { $prefix: 'notes/' } } });
    // The two identical notes fold into one result (either may come first: their scores tie).
    expect(notes.results).toHaveLength(1);
    expect(['notes/a.md', 'notes/b.md']).toContain(notes.results[0]!.citation.source_path);
    expect(notes.results[0]!.duplicates).toHaveLength(1);
  });

  it('renders a compact text block: rank, title, source_path#anchor, score, snippet — not the JSON again', async () => {
    const result = await callTool(t.client, 'hybrid_search', {
      kb: 'docs',
      query: 'lighthouse',
      mode: 'lexical',
    });
    const text = textOf(result);
    expect(text).toMatch(/^\[1\] /m);
    expect(text).toMatch(/\[\d\] Guide — docs\/guide\.md#part-\d · score [\d.]+ · chunk_id guide-\d/);
    expect(text).toContain('also at: notes/');
    expect(text.length).toBeLessThan(JSON.stringify(result.structuredContent).length / 2);
  });
});

describe('unknown arguments', () => {
  it('are refused in hybrid_search with the valid list and a suggestion (top_k → limit)', async () => {
    const result = await callTool(t.client, 'hybrid_search', { kb: 'docs', query: 'lighthouse', top_k: 3 });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain('unknown argument "top_k" ("top_k" → use "limit")');
    expect(text).toMatch(/valid arguments: kb, query, vector, mode, limit/);
  });

  it('are refused in every tool, nested chunk fields included', async () => {
    const gc = await callTool(t.client, 'run_gc', { dry_runn: true });
    expect(gc.isError).toBe(true);
    expect(textOf(gc)).toContain('"dry_runn" → use "dry_run"');
    const upsert = await callTool(t.client, 'upsert_chunks', {
      kb: 'docs',
      chunks: [{ chunk_id: 'x', document_id: 'd', content: 'c', sourcepath: 'a.md' }],
    });
    expect(upsert.isError).toBe(true);
    expect(textOf(upsert)).toContain('unknown chunk field "sourcepath" ("sourcepath" → use "source_path")');
    const deleted = await callTool(t.client, 'delete_chunks', { kb: 'docs', chunk_ids: ['x'], force: true });
    expect(deleted.isError).toBe(true);
    expect(textOf(deleted)).toMatch(/unknown argument "force"; valid arguments: kb, chunk_ids, document_ids/);
  });
});
