// The engine's terms spelled for callers: engine words in `message`, tool names, arguments and env vars outside.
import { describe, expect, it } from 'vitest';
import {
  ARGUMENT_NAMES,
  callerText,
  engineErrorText,
  OPERATION_TOOLS,
} from '../../src/config/engine-error-text.js';
import { requireWritable, type EngineContext } from '../../src/engine/context.js';
import { LEXICAL_ONLY_SPACE, checkWriteAgainstSpace } from '../../src/engine/embedding-space.js';
import { RERANK_ROLE } from '../../src/engine/embedding/cross-encoder-reranker.js';
import {
  EMBEDDING_ROLE,
  missingModelError,
  resolveModelSource,
} from '../../src/engine/embedding/model-files.js';
import { EngineError } from '../../src/engine/errors.js';
import { arg, op, plainText, setting } from '../../src/engine/terms.js';
import { TOOLS } from '../../src/tools/index.js';
import { toolArgumentNames } from '../helpers/tool-arguments.js';

function thrown(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

describe('terms', () => {
  it('read as engine names in plain text and as tool names, arguments and env vars for callers', () => {
    const text = `then ${op('promoteGeneration')} with ${arg('copyFromActive')}; set ${setting('embeddingModel')}`;
    expect(plainText(text)).toBe('then promoteGeneration with copyFromActive; set embeddingModel');
    expect(callerText(text)).toBe(
      'then promote_generation with copy_from_active; set RAG_STUDIO_EMBEDDING_MODEL',
    );
    expect(callerText(setting('maxCitationBytes'))).toBe('RAG_STUDIO_MAX_CITATION_BYTES');
    // A setting read from two env vars is off only when both are unset.
    expect(callerText(`unset ${setting('offline')}`)).toBe('unset RAG_STUDIO_OFFLINE and HF_HUB_OFFLINE');
  });

  it('leave anything that only looks like a term alone (user text inside messages)', () => {
    const text = 'no chunk "{op:dropEverything}" nor "{arg:x}" nor "{setting:nope}" nor "{op:search"';
    expect(callerText(text)).toBe(text);
    expect(plainText(text)).toBe(text);
  });

  it('name only tools that exist and arguments those tools take', () => {
    for (const tool of Object.values(OPERATION_TOOLS)) expect(Object.keys(TOOLS)).toContain(tool);
    const taken = toolArgumentNames();
    for (const name of Object.values(ARGUMENT_NAMES)) expect(taken).toContain(name);
  });
});

describe('engine errors as callers read them (the texts the engine spelled itself before)', () => {
  it('a write on a read-only engine points at the setting', () => {
    const error = thrown(() => requireWritable({ readOnly: true } as EngineContext));
    expect(error.message).toBe('the engine is read-only; writes are disabled');
    expect(engineErrorText(error)).toBe(
      'INVALID_STATE: the engine is read-only (RAG_STUDIO_READ_ONLY); writes are disabled',
    );
  });

  it('vectors sent to a lexical-only generation name the tools that rebuild it', () => {
    const error = thrown(() =>
      checkWriteAgainstSpace(LEXICAL_ONLY_SPACE, 4, false, undefined, 'generation 1 of "kb"'),
    );
    const tail =
      'To change models: %c, upsert the chunks into it (they are embedded with the current model), then %p.';
    expect(error.message).toContain(
      tail.replace('%c', 'createGeneration').replace('%p', 'promoteGeneration'),
    );
    expect(engineErrorText(error)).toBe(
      'MODEL_MISMATCH: generation 1 of "kb" is lexical-only (written without an embedding model) and stores no ' +
        'vectors, so chunks with an `embedding` cannot go in. Send them without it, or write them into a new ' +
        `generation. ${tail.replace('%c', 'create_generation').replace('%p', 'promote_generation')}`,
    );
  });

  it('a missing local embedding model names the setting that points at it and the offline fallback', () => {
    const source = { kind: 'local' as const, pathOrId: '/m/x', directory: '/m/x' };
    const plan = { dtype: 'q8' as const, onnxFile: 'onnx/model_quantized.onnx', missing: ['config.json'] };
    const error = missingModelError('/m/x', source, plan, EMBEDDING_ROLE);
    expect(error.message).toContain(
      'point embeddingModel at a directory that has one, or set embeddingModel=hash',
    );
    expect(engineErrorText(error)).toBe(
      'EMBEDDER_UNAVAILABLE: embedding model "/m/x" (dtype q8) is not available: the local model directory "/m/x" ' +
        'lacks config.json. Put a Hugging Face-layout export there (config.json, tokenizer.json, ' +
        'tokenizer_config.json, onnx/model_quantized.onnx or onnx/model.onnx), point RAG_STUDIO_EMBEDDING_MODEL ' +
        'at a directory that has one, or set RAG_STUDIO_EMBEDDING_MODEL=hash for a non-semantic offline ' +
        'embedder. Lexical search works meanwhile.',
    );
  });

  it('a reranker missing offline names the offline switches, the models dir and how to turn reranking off', () => {
    const id = 'Xenova/ms-marco-MiniLM-L-6-v2';
    const source = { kind: 'hub' as const, pathOrId: id, directory: `/m/${id}` };
    const plan = { dtype: 'q8' as const, onnxFile: 'onnx/model_quantized.onnx', missing: ['config.json'] };
    expect(engineErrorText(missingModelError(id, source, plan, RERANK_ROLE))).toBe(
      `EMBEDDER_UNAVAILABLE: reranking model "${id}" (dtype q8) is not available: offline mode is on and ` +
        `"/m/${id}" lacks config.json. Run once with network access (unset RAG_STUDIO_OFFLINE and ` +
        'HF_HUB_OFFLINE) so it downloads there (RAG_STUDIO_MODELS_DIR), or copy the model files into that ' +
        'directory, or unset RAG_STUDIO_RERANK_MODEL to turn reranking off. Searches without rerank work meanwhile.',
    );
  });

  it('an empty model setting names the env var', () => {
    const error = thrown(() =>
      resolveModelSource({ model: ' ', modelsDir: '/m', offline: true, batchSize: 32 }),
    );
    expect(engineErrorText(error)).toBe(
      'INVALID_INPUT: embedding model is empty: set RAG_STUDIO_EMBEDDING_MODEL to a Hugging Face id, an ' +
        'absolute directory, or "hash"',
    );
  });

  it('terms and a setting pointer in one message are both spelled', () => {
    const error = new EngineError(
      'LIMIT_EXCEEDED',
      `${arg('maxTokens')} is above the limit{setting}; lower it`,
      {
        setting: 'maxLimit',
      },
    );
    expect(error.message).toBe('maxTokens is above the limit; lower it');
    expect(engineErrorText(error)).toBe(
      'LIMIT_EXCEEDED: max_tokens is above the limit (RAG_STUDIO_MAX_LIMIT); lower it',
    );
  });
});
