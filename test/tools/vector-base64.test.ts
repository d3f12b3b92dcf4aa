// hybrid_search's vector_base64: the same search as `vector`, in a quarter of the bytes; bad input refused clearly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import {
  callTool,
  sampleChunks,
  startTestServer,
  structured,
  textOf,
  type TestServer,
} from '../helpers/mcp-client.js';

let t: TestServer;
let vector: Float32Array;

beforeAll(async () => {
  t = await startTestServer();
  await callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks: sampleChunks() });
  vector = await t.engine.embedder!.embedQuery('install npm');
});
afterAll(async () => t.close());

const base64Of = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

describe('hybrid_search vector_base64', () => {
  it('finds exactly what the same vector as a JSON array finds', async () => {
    const ids = async (args: Record<string, unknown>) =>
      structured(
        await callTool(t.client, 'hybrid_search', { kb: 'docs', mode: 'vector', limit: 5, ...args }),
        hybridSearch.outputSchema,
      ).results.map((r) => [r.chunk_id, r.score]);
    const asArray = await ids({ vector: Array.from(vector) });
    expect(asArray.length).toBeGreaterThan(0);
    expect(await ids({ vector_base64: base64Of(vector) })).toEqual(asArray);
  });

  it('refuses text that is not base64, a length that is not whole float32s, and both encodings at once', async () => {
    const search = (args: Record<string, unknown>) =>
      callTool(t.client, 'hybrid_search', { kb: 'docs', mode: 'vector', ...args });
    const notBase64 = await search({ vector_base64: 'not base64!' });
    expect(notBase64.isError).toBe(true);
    expect(textOf(notBase64)).toMatch(/^INVALID_INPUT: vector_base64 must be standard base64/);
    const sixBytes = await search({ vector_base64: Buffer.alloc(6).toString('base64') });
    expect(textOf(sixBytes)).toMatch(/^INVALID_INPUT: vector_base64 decodes to 6 bytes/);
    const wrongWidth = await search({ vector_base64: base64Of(new Float32Array([0.5, 0.5, 0.5])) });
    expect(textOf(wrongWidth)).toMatch(/^(DIMENSION_MISMATCH|INVALID_INPUT): /);
    const nan = await search({ vector_base64: base64Of(new Float32Array(vector.length).fill(Number.NaN)) });
    expect(textOf(nan)).toMatch(/^INVALID_INPUT: `vector`\[0\] is NaN/);
    const both = await search({ vector: Array.from(vector), vector_base64: base64Of(vector) });
    expect(both.isError).toBe(true);
    expect(textOf(both)).toMatch(/vector_base64/);
    expect(textOf(both)).toMatch(/not both/);
  });
});
