// Hostile but valid writes through MCP: every accepted chunk reads back exactly as written (ids, text, metadata).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import { callTool, startTestServer, structured, textOf, type TestServer } from '../helpers/mcp-client.js';
import { hostileString } from './harness/fuzz-values.js';

const SEED = Number(process.env.RAG_STUDIO_FUZZ_SEED ?? Date.now() % 1_000_000);
const hasLoneSurrogate = (s: string) => /\p{Surrogate}/u.test(s);
/** Text without lone surrogates and without a leading U+FEFF: those are refused (tests below). */
const text = hostileString.filter((s) => !hasLoneSurrogate(s) && !s.startsWith('\ufeff'));
// "__proto__" is refused as a metadata key (tested in validation tests); fast-check injects it into matching strings.
const metadataKey = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/).filter((k) => k !== '__proto__'),
  fc.constantFrom('constructor', 'toString', 'valueOf', 'hasOwnProperty', '-', '_', '0'),
);
const metadataValue: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(),
  // -0 is 0 once it is JSON, like every JSON store.
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
);

let t: TestServer;
let counter = 0;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

async function readBack(kb: string, ids: string[]) {
  const found = structured(
    await callTool(t.client, 'hybrid_search', {
      kb,
      query: 'alpha',
      mode: 'lexical',
      limit: 100,
      filter: { chunk_id: { $in: ids } },
    }),
    TOOLS.hybrid_search.outputSchema,
  );
  return new Map(found.results.map((r) => [r.chunk_id, r]));
}

describe(`round trip of hostile but valid chunks (fast-check seed ${SEED})`, () => {
  it('stores and returns ids, document ids, content, titles and metadata byte for byte', async () => {
    const chunk = fc.record({
      id: text.filter((s) => s.length <= 200),
      document_id: text.filter((s) => s.trim() !== '' && s.length <= 200),
      content: text,
      title: fc.option(text, { nil: undefined }),
      metadata: fc.dictionary(metadataKey, metadataValue, { maxKeys: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { minLength: 1, maxLength: 5 }), async (batch) => {
        // Contents differ by their number: exact duplicates would be folded into one search result.
        const chunks = batch.map((c) => ({
          chunk_id: `rt${counter}-${c.id}`,
          document_id: c.document_id,
          content: `alpha ${counter++} ${c.content}`,
          ...(c.title === undefined ? {} : { title: c.title }),
          metadata: c.metadata,
        }));
        const result = await callTool(t.client, 'upsert_chunks', { kb: 'roundtrip', chunks });
        if (result.isError) throw new Error(`valid chunks refused: ${textOf(result).slice(0, 400)}`);
        const back = await readBack(
          'roundtrip',
          chunks.map((c) => c.chunk_id),
        );
        for (const sent of chunks) {
          const got = back.get(sent.chunk_id);
          if (!got) throw new Error(`chunk ${JSON.stringify(sent.chunk_id)} not found by its id`);
          expect({
            document_id: got.document_id,
            content: got.content,
            title: got.citation.title,
            metadata: got.metadata,
          }).toEqual({
            document_id: sent.document_id,
            content: sent.content,
            title: sent.title,
            metadata: sent.metadata,
          });
        }
      }),
      { numRuns: 120, seed: SEED, endOnFailure: true },
    );
  }, 120_000);
});

describe('strings storage cannot keep are refused, never changed', () => {
  it('refuses lone UTF-16 surrogates in content and titles, naming each field', async () => {
    const sent = { chunk_id: 'lone-1', document_id: 'd', content: 'alpha x\ud800y', title: 't\udc00' };
    const result = await callTool(t.client, 'upsert_chunks', { kb: 'surrogates', chunks: [sent] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^INVALID_INPUT: .*content contains an unpaired UTF-16 surrogate/);
    expect(textOf(result)).toMatch(/title contains an unpaired UTF-16 surrogate/);
  });

  it('refuses a leading U+FEFF in ids and text (Arrow decoding would strip it on read)', async () => {
    const sent = {
      chunk_id: '\ufeffbom-1',
      document_id: '\ufeffdoc',
      content: '\ufeffalpha bom',
      title: '\ufefftitle',
    };
    const result = await callTool(t.client, 'upsert_chunks', { kb: 'bom', chunks: [sent] });
    expect(result.isError).toBe(true);
    for (const field of ['chunkId', 'documentId', 'content', 'title']) {
      expect(textOf(result)).toMatch(new RegExp(`${field} starts with U\\+FEFF`));
    }
  });

  it('keeps U+FEFF anywhere else, and at the start of metadata strings (stored inside JSON)', async () => {
    const sent = {
      chunk_id: 'bom-2\ufeff',
      document_id: 'd\ufeffoc',
      content: 'alpha \ufeffbom',
      title: 'ti\ufefftle',
      metadata: { note: '\ufeffleading', list: ['\ufeff'] },
    };
    structured(
      await callTool(t.client, 'upsert_chunks', { kb: 'bom', chunks: [sent] }),
      TOOLS.upsert_chunks.outputSchema,
    );
    const got = (await readBack('bom', [sent.chunk_id])).get(sent.chunk_id);
    expect({
      chunk_id: got?.chunk_id,
      document_id: got?.document_id,
      content: got?.content,
      title: got?.citation.title,
      metadata: got?.metadata,
    }).toEqual(sent);
  });

  it('refuses a metadata key named __proto__ at any depth instead of dropping it', async () => {
    for (const json of ['{"__proto__": {"polluted": true}, "lang": "en"}', '{"a": [{"__proto__": 1}]}']) {
      const metadata = JSON.parse(json) as Record<string, unknown>;
      const result = await callTool(t.client, 'upsert_chunks', {
        kb: 'proto',
        chunks: [{ chunk_id: 'p1', document_id: 'd', content: 'alpha proto', metadata }],
      });
      expect(result.isError, json).toBe(true);
      expect(textOf(result)).toMatch(/metadata key "__proto__" is reserved: rename it/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
