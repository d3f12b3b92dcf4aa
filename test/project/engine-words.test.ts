// The engine speaks its own words: no MCP tool names, tool-only argument names, env vars or process.env in src/engine.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { CHUNK_FIELDS } from '../../src/engine/storage/chunk-fields.js';
import { engineErrorText } from '../../src/config/engine-error-text.js';
import { TOOLS } from '../../src/tools/index.js';
import { REPO_ROOT } from '../helpers/built-server.js';
import { toolArgumentNames } from '../helpers/tool-arguments.js';

const ENGINE = join(REPO_ROOT, 'src', 'engine');

function engineFiles(dir = ENGINE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? engineFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * snake_case tool arguments, at any depth (`queries[].expected_document_ids`), that are not also stored
 * column names (those are the engine's own words).
 */
function toolOnlyArguments(): string[] {
  const columns = new Set<string>(CHUNK_FIELDS.map((f) => f.column));
  return [...toolArgumentNames()].filter((name) => name.includes('_') && !columns.has(name));
}

const FORBIDDEN: Array<{ what: string; pattern: RegExp }> = [
  { what: 'process.env (pass configuration in instead)', pattern: /\bprocess\.env\b/ },
  {
    what: 'an env var name (point at the setting: EngineError `setting`)',
    pattern: /\b(RAG_STUDIO_|HF_HUB_)\w*/,
  },
  ...Object.keys(TOOLS).map((name) => ({
    what: `the MCP tool name ${name}`,
    pattern: new RegExp(`\\b${name}\\b`),
  })),
  ...toolOnlyArguments().map((name) => ({
    what: `the tool argument ${name}`,
    pattern: new RegExp(`\\b${name}\\b`),
  })),
];

/** Lines of code (comments and TSDoc are not what callers read) that use a forbidden word. */
function offenders(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of engineFiles()) {
    const name = relative(ENGINE, file).split('\\').join('/');
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const code = line.trim();
        if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
        const hit = FORBIDDEN.find((f) => f.pattern.test(code));
        if (hit)
          found.set(name, [...(found.get(name) ?? []), `src/engine/${name}:${index + 1}: ${hit.what}`]);
      });
  }
  return found;
}

describe('the engine speaks its own words', () => {
  it('no tool names, tool-only argument names, env var names or process.env in src/engine', () => {
    const problems = [...offenders().values()].flat();
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('an error pointing at a setting is worded with its env var by the layer that reads settings', () => {
    const limit = new EngineError('LIMIT_EXCEEDED', 'the query is 5000 characters; at most 4096', {
      setting: 'maxQueryLength',
    });
    expect(engineErrorText(limit)).toBe(
      'LIMIT_EXCEEDED: the query is 5000 characters; at most 4096 (RAG_STUDIO_MAX_QUERY_LENGTH)',
    );
    const storage = new EngineError(
      'STORAGE',
      'cannot create it. Point the data directory at a writable one.',
      {
        setting: 'dataDir',
      },
    );
    expect(engineErrorText(storage)).toBe(
      'STORAGE: cannot create it. Point the data directory at a writable one (RAG_STUDIO_DATA_DIR).',
    );
    const inside = new EngineError('INVALID_STATE', 'set the reranking model{setting} to a cross-encoder.', {
      setting: 'rerankModel',
    });
    expect(inside.message).toBe('set the reranking model to a cross-encoder.');
    expect(engineErrorText(inside)).toBe(
      'INVALID_STATE: set the reranking model (RAG_STUDIO_RERANK_MODEL) to a cross-encoder.',
    );
    expect(engineErrorText(new EngineError('INVALID_INPUT', 'no setting here'))).toBe(
      'INVALID_INPUT: no setting here',
    );
  });
});
