// The multi-process and object-storage settings: staleness bound and object-store options.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  engineOptionsFrom,
  parseCommandLine,
  type ServerConfig,
} from '../../src/config/config.js';

const load = (argv: string[], env: Record<string, string> = {}): ServerConfig => {
  const command = parseCommandLine(argv, { env, platform: 'linux', home: '/home/ada', cwd: '/work' });
  if (command.action !== 'serve') throw new Error(`unexpected ${command.action}`);
  return command.config;
};

describe('storage settings', () => {
  it('default to a 1 s staleness bound and no storage options', () => {
    const config = load([]);
    expect(config.stalenessMs).toBe(1000);
    expect(engineOptionsFrom(config).storageOptions).toBeUndefined();
  });

  it('read the staleness bound and JSON storage options from env or flags, and pass them to the engine', () => {
    const config = load(['--staleness-ms', '0'], {
      RAG_STUDIO_DATA_DIR: 's3://bucket/kbs',
      RAG_STUDIO_STORAGE_OPTIONS: '{"aws_endpoint":"http://127.0.0.1:9000","allow_http":true}',
    });
    expect(engineOptionsFrom(config)).toMatchObject({
      dataDir: 's3://bucket/kbs',
      stalenessMs: 0,
      storageOptions: { aws_endpoint: 'http://127.0.0.1:9000', allow_http: 'true' },
    });
  });

  it.each([
    ['not json', 'must be a JSON object'],
    ['["a"]', 'must be a JSON object of option names'],
    ['{"a":{"b":1}}', 'option "a" must be a string'],
  ])('reject RAG_STUDIO_STORAGE_OPTIONS=%s with a clear message', (value, message) => {
    expect(() => load([], { RAG_STUDIO_STORAGE_OPTIONS: value })).toThrow(ConfigError);
    expect(() => load([], { RAG_STUDIO_STORAGE_OPTIONS: value })).toThrow(message);
  });

  it('rejects a negative staleness bound', () => {
    expect(() => load([], { RAG_STUDIO_STALENESS_MS: '-1' })).toThrow(
      /RAG_STUDIO_STALENESS_MS must be an integer/,
    );
  });
});
