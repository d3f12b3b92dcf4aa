// Chunk sizes by the embedder's own tokenizer: a real tiny WordPiece model, a real engine, a real folder.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransformersEmbedder } from '../../src/engine/embedding/index.js';
import { ingestDocuments } from '../../src/ingest/index.js';
import { estimateTokens } from '../../src/ingest/tokens.js';
import { writeFiles } from '../helpers/document-files.js';
import { openTestEngine, type TestEngine } from '../helpers/engine.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

const CONSONANTS = 'bcdfghjklmnpqrstvwxz';
const LIMIT = 50;

/** Six consonants: not in the tiny vocabulary's words, so WordPiece spells it as 6 tokens; the estimate says ~2. */
function oddWord(i: number): string {
  let word = '';
  for (let n = i + 20 ** 5, k = 0; k < 6; k++, n = Math.floor(n / 20)) word += CONSONANTS[n % 20];
  return word;
}

let dir: TempDir;
let embedder: TransformersEmbedder;
let t: TestEngine;

beforeEach(async () => {
  dir = await makeTempDir('rag-studio-tokens-');
  const model = await writeTinyModel(join(dir.path, 'model'));
  embedder = new TransformersEmbedder({
    model: model.dir,
    modelsDir: join(dir.path, 'models'),
    offline: true,
    batchSize: 16,
  });
  t = await openTestEngine({ embedder });
  // 40 paragraphs of "cat" + three odd words: 19 tokens each by the tokenizer, about 6 by the estimate.
  const paragraphs = Array.from({ length: 40 }, (_, p) =>
    ['cat', oddWord(3 * p), oddWord(3 * p + 1), oddWord(3 * p + 2)].join(' '),
  );
  await writeFiles(join(dir.path, 'docs'), { 'odd.md': `# Odd\n\n${paragraphs.join('\n\n')}\n` });
});
afterEach(async () => {
  await t.close();
  await embedder.close();
  await dir.remove();
});

async function chunkTexts(kb: string): Promise<string[]> {
  const results = (await t.engine.search({ kb, text: 'cat', mode: 'lexical', limit: 100 })).results;
  return results.map((r) => r.content!);
}

describe('chunk sizes with the embedder tokenizer', () => {
  it('keeps every chunk within the limit as the model tokenizer counts it (the estimate would not)', async () => {
    expect(await embedder.countTokens([oddWord(0), 'cat', `cat ${oddWord(1)}`])).toEqual([6, 1, 7]);

    await ingestDocuments(t.engine, {
      kb: 'tok',
      paths: [join(dir.path, 'docs')],
      chunkTokens: LIMIT,
      overlapTokens: 0,
    });
    const chunks = await chunkTexts('tok');
    const counts = await embedder.countTokens(chunks);
    expect(chunks.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...counts)).toBeLessThanOrEqual(LIMIT);
    expect(counts).toContain(38); // two paragraphs packed together: the limit is used, not wasted

    // The same file sized by the estimate (explicit countTokens overrides the tokenizer) overflows it.
    await ingestDocuments(t.engine, {
      kb: 'est',
      paths: [join(dir.path, 'docs')],
      chunkTokens: LIMIT,
      overlapTokens: 0,
      countTokens: estimateTokens,
    });
    const estimated = await embedder.countTokens(await chunkTexts('est'));
    expect(Math.max(...estimated)).toBeGreaterThan(LIMIT);
  });
});
