// Through a real MCP client: the default hybrid on a KB embedded by a weak semantic (LSA) model is not worse than lexical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndcgAt } from '../../src/cli/eval/metrics.js';
import { mulberry32 } from '../../src/engine/search/draw-probes.js';
import { outputSchema as searchOutput } from '../../src/tools/hybrid-search.js';
import { outputSchema as createOutput } from '../../src/tools/create-generation.js';
import { writeLsaModel } from '../helpers/lsa-model.js';
import { callTool, startTestServer, structured, type TestServer } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * Six topics of 40 words each plus shared filler words. A document draws 6 words from its topic and 6 filler
 * words; a query names 2 words of its topic, and every document of the topic is relevant. BM25 finds only
 * the documents holding those exact words; LSA also relates the topic's other words.
 */
function judgedCorpus() {
  const random = mulberry32(11);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const syllables = ['ka', 'lo', 'mi', 'ne', 'tu', 'ra', 'so', 'vi', 'pe', 'du', 'go', 'ze', 'fa', 'hi'];
  const word = () => `${pick(syllables)}${pick(syllables)}${pick(syllables)}`;
  const topics = Array.from({ length: 6 }, () => Array.from({ length: 40 }, word));
  const filler = Array.from({ length: 30 }, word);
  const docs = topics.flatMap((topic, t) =>
    Array.from({ length: 20 }, (_, i) => ({
      id: `t${t}d${i}`,
      topic: t,
      words: [
        ...Array.from({ length: 8 }, () => pick(topic)),
        ...Array.from({ length: 6 }, () => pick(filler)),
      ],
    })),
  );
  const queries = topics.flatMap((topic, t) =>
    Array.from({ length: 3 }, (_, i) => {
      const terms = Array.from({ length: 2 }, () => pick(topic));
      const judgements = new Map(docs.filter((d) => d.topic === t).map((d) => [d.id, 1] as [string, number]));
      return { id: `q${t}-${i}`, text: terms.join(' '), judgements };
    }),
  );
  return { docs: docs.map((d) => ({ id: d.id, text: `${d.words.join(' ')}.` })), queries };
}

let dir: TempDir;
let t: TestServer;
const { docs, queries } = judgedCorpus();

beforeAll(async () => {
  dir = await makeTempDir('rag-fusion-quality-');
  const lsa = await writeLsaModel(
    dir.path,
    docs.map((d) => d.text),
    { dimension: 12 },
  );
  t = await startTestServer({ model: lsa.dir });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await dir?.remove();
});

describe('default hybrid with a weak semantic model', () => {
  it('scores at least lexical nDCG@10 on a judged set, and shows the weights it used', async () => {
    const created = structured(await callTool(t.client, 'create_generation', { kb: 'topics' }), createOutput);
    const chunks = docs.map((d) => ({ chunk_id: d.id, document_id: d.id, content: d.text }));
    const upserted = await callTool(t.client, 'upsert_chunks', {
      kb: 'topics',
      chunks,
      generation: created.generation,
    });
    expect(upserted.isError).toBeFalsy();
    const promoted = await callTool(t.client, 'promote_generation', {
      kb: 'topics',
      generation: created.generation,
    });
    expect(promoted.isError).toBeFalsy();

    const resource = await t.client.readResource({ uri: 'rag-studio://knowledge-bases/topics' });
    const detail = JSON.parse((resource.contents[0] as { text: string }).text) as {
      generations: Array<{ generation: number; fusion_calibration: { weights: { vector: number } } | null }>;
    };
    const calibration = detail.generations.find(
      (g) => g.generation === created.generation,
    )!.fusion_calibration;
    expect(calibration).not.toBeNull();

    const mean = async (mode: 'hybrid' | 'lexical') => {
      let sum = 0;
      for (const q of queries) {
        const result = await callTool(t.client, 'hybrid_search', {
          kb: 'topics',
          query: q.text,
          mode,
          limit: 10,
        });
        const answer = structured(result, searchOutput);
        if (mode === 'hybrid') {
          expect(answer.fusion).toBe('calibrated');
          expect(answer.fusion_weights!.source).toBe('calibrated');
          expect(answer.fusion_weights!.prior!.vector).toBe(calibration!.weights.vector);
        }
        sum += ndcgAt(
          answer.results.map((r) => r.document_id),
          q.judgements,
          10,
        );
      }
      return sum / queries.length;
    };
    const lexical = await mean('lexical');
    const hybrid = await mean('hybrid');
    expect(lexical).toBeGreaterThan(0.2); // the set is not trivial for either...
    expect(lexical).toBeLessThan(0.95); // ...nor solved by exact words alone
    expect(hybrid).toBeGreaterThanOrEqual(lexical - 1e-9);
  }, 120_000);
});
