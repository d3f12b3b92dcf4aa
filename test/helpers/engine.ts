// Opens a real engine on a fresh temp directory for a test, and closes/removes it afterwards.
import { expect } from 'vitest';
import { EngineError, openEngine } from '../../src/engine/index.js';
import type { ChunkInput, EngineOptions, KnowledgeBaseEngine } from '../../src/engine/index.js';
import { KeywordEmbedder } from './keyword-embedder.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

export interface TestEngine {
  engine: KnowledgeBaseEngine;
  dir: TempDir;
  close(): Promise<void>;
}

/**
 * Probes per fusion calibration in test engines: enough to calibrate (MIN_PROBES is 8), far cheaper than the
 * default 150 that every seal would pay. Tests of what calibration measures ask for the default themselves.
 */
export const TEST_CALIBRATION_PROBES = 30;

export async function openTestEngine(options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const dir = await makeTempDir();
  const engine = await openEngine({
    dataDir: dir.path,
    embedder: new KeywordEmbedder(),
    calibrationProbes: TEST_CALIBRATION_PROBES,
    ...options,
  });
  return {
    engine,
    dir,
    async close() {
      await engine.close();
      await dir.remove();
    },
  };
}

/** A small corpus with known answers: one topic word per chunk, citations and metadata filled in. */
export function animalCorpus(): ChunkInput[] {
  const rows: Array<[string, string, string, string, number]> = [
    ['c1', 'd1', 'The cat sat on the red mat near a cat toy', 'en', 1],
    ['c2', 'd1', 'A dog chased the blue car down the street', 'en', 2],
    ['c3', 'd2', 'Fish swim in the green sea beside the boat', 'en', 3],
    ['c4', 'd2', 'The bird flew over the yellow train station', 'de', 4],
    ['c5', 'd3', 'An apple and a banana make a fruit salad with cherry', 'de', 5],
    ['c6', 'd3', 'The plane landed; a grape harvest waited', 'fr', 6],
  ];
  return rows.map(([chunkId, documentId, content, lang, page]) => ({
    chunkId,
    documentId,
    content,
    title: `Title of ${chunkId}`,
    sourcePath: `/docs/${documentId}.md`,
    license: 'CC-BY-4.0',
    version: 'v1',
    anchor: `#${chunkId}`,
    pageNumber: page,
    metadata: { lang, page, tags: [lang, 'animals'] },
  }));
}

/** Awaits a call that must fail with an EngineError of `code`, and returns the error for further checks. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  return error as EngineError;
}
