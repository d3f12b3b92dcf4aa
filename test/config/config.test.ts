// Configuration: defaults per platform, flag over env, every validation failure as one clear ConfigError line.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/engine/index.js';
import { allSettings, helpText, LIMIT_SETTINGS } from '../../src/config/config-settings.js';
import {
  ConfigError,
  engineOptionsFrom,
  parseCommandLine,
  type ServerConfig,
} from '../../src/config/config.js';

const home = '/home/ada';
const load = (
  argv: string[],
  env: Record<string, string> = {},
  platform: NodeJS.Platform = 'linux',
): ServerConfig => {
  const command = parseCommandLine(argv, { env, platform, home, cwd: '/work/project' });
  if (command.action !== 'serve') throw new Error(`unexpected ${command.action}`);
  return command.config;
};
const failure = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    load(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
};

describe('defaults', () => {
  it('uses per-user data and model dirs, never the working directory', () => {
    const linux = load([]);
    expect(linux.dataDir).toBe('/home/ada/.local/share/rag-studio');
    expect(linux.embedding.modelsDir).toBe('/home/ada/.local/share/rag-studio/models');
    expect(load([], { XDG_DATA_HOME: '/xdg' }).dataDir).toBe('/xdg/rag-studio');
    expect(load([], { XDG_DATA_HOME: 'relative' }).dataDir).toBe('/home/ada/.local/share/rag-studio');
    expect(load([], {}, 'darwin').dataDir).toBe('/home/ada/Library/Application Support/rag-studio');
    expect(load([], { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32').dataDir).toContain(
      'AppData',
    );
    expect(linux.embedding.modelsDir.startsWith('/work/project')).toBe(false);
  });

  it('has safe transport and GC defaults', () => {
    const c = load([]);
    expect(c.transport).toBe('stdio');
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 3333, authToken: undefined });
    expect(c.http.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(c.gc).toEqual({
      intervalSeconds: 3600,
      retentionEpochs: 2,
      minAgeSeconds: 3600,
      buildingTtlSeconds: 86400,
    });
    expect(c.embedding).toMatchObject({ model: 'Xenova/bge-small-en-v1.5', offline: false, batchSize: 32 });
    expect(c.limits).toEqual({});
    expect(c.readOnly).toBe(false);
    expect(c.logLevel).toBe('info');
  });
});

describe('sources', () => {
  it('reads env vars and lets flags win', () => {
    const env = { RAG_STUDIO_DATA_DIR: '/env/data', RAG_STUDIO_PORT: '4000', RAG_STUDIO_READ_ONLY: 'true' };
    expect(load([], env)).toMatchObject({ dataDir: '/env/data', readOnly: true, http: { port: 4000 } });
    expect(load(['--data-dir', '/flag/data', '--port', '5000'], env)).toMatchObject({
      dataDir: '/flag/data',
      http: { port: 5000 },
    });
  });

  it('treats empty env vars as unset and resolves relative paths against the cwd', () => {
    expect(load([], { RAG_STUDIO_DATA_DIR: '' }).dataDir).toBe('/home/ada/.local/share/rag-studio');
    expect(load(['--data-dir', 'kb']).dataDir).toBe('/work/project/kb');
  });

  it('keeps object-store URIs as they are', () => {
    expect(load(['--data-dir', 's3://bucket/rag']).dataDir).toBe('s3://bucket/rag');
  });

  it('honours HF_HUB_OFFLINE as well as RAG_STUDIO_OFFLINE and --offline', () => {
    expect(load([], { HF_HUB_OFFLINE: '1' }).embedding.offline).toBe(true);
    expect(load([], { RAG_STUDIO_OFFLINE: 'yes' }).embedding.offline).toBe(true);
    expect(load(['--offline']).embedding.offline).toBe(true);
    expect(load([], { RAG_STUDIO_OFFLINE: '0' }).embedding.offline).toBe(false);
  });

  it('maps every limit flag and env var onto EngineLimits', () => {
    for (const limit of LIMIT_SETTINGS) {
      expect(load([`--${limit.flag}`, '7']).limits).toEqual({ [limit.key]: 7 });
      expect(load([], { [limit.env]: '9' }).limits).toEqual({ [limit.key]: 9 });
    }
    expect(Object.keys(DEFAULT_LIMITS).sort()).toEqual(LIMIT_SETTINGS.map((l) => l.key).sort());
  });

  it('passes embedding overrides through', () => {
    const c = load([
      '--embedding-model',
      tmpdir(),
      '--embedding-pooling',
      'mean',
      '--embedding-dtype',
      'fp32',
      '--embedding-batch',
      '8',
      '--hf-endpoint',
      'https://mirror.example/',
      '--embedding-query-prefix',
      'query: ',
      '--embedding-document-prefix',
      'passage: ',
      '--embedding-threads',
      '2',
    ]);
    expect(c.embedding).toMatchObject({
      model: tmpdir(),
      pooling: 'mean',
      dtype: 'fp32',
      batchSize: 8,
      hfEndpoint: 'https://mirror.example',
      queryPrefix: 'query: ',
      documentPrefix: 'passage: ',
      threads: 2,
    });
  });

  it('derives engine options, with the GC loop off when read-only', () => {
    expect(engineOptionsFrom(load(['--gc-interval', '60']))).toMatchObject({
      gcIntervalSeconds: 60,
      retentionEpochs: 2,
    });
    expect(engineOptionsFrom(load(['--gc-interval', '60', '--read-only']))).toMatchObject({
      gcIntervalSeconds: 0,
      readOnly: true,
    });
  });

  it('passes the calibration probe count to the engine: 150 by default, env or flag', () => {
    expect(engineOptionsFrom(load([])).calibrationProbes).toBe(150);
    expect(engineOptionsFrom(load([], { RAG_STUDIO_CALIBRATION_PROBES: '40' })).calibrationProbes).toBe(40);
    expect(
      engineOptionsFrom(load(['--calibration-probes', '300'], { RAG_STUDIO_CALIBRATION_PROBES: '40' }))
        .calibrationProbes,
    ).toBe(300);
  });

  it('adds a specific bind host to the allowed Host names, and normalises lists', () => {
    const token = 'f3a91c0e7b2d4a6f8e1c3b5d7a9f0e2c';
    expect(
      load(['--transport', 'http', '--host', '192.168.1.5', '--auth-token', token]).http.allowedHosts,
    ).toContain('192.168.1.5');
    expect(load(['--allowed-hosts', 'Example.COM, localhost']).http.allowedHosts).toEqual([
      'example.com',
      'localhost',
    ]);
    expect(load(['--allowed-origins', 'https://app.example.com/']).http.allowedOrigins).toEqual([
      'https://app.example.com',
    ]);
  });
});

describe('errors', () => {
  it.each([
    [['--port', 'abc'], {}, /--port must be an integer in 0\.\.65535, got "abc"/],
    [[], { RAG_STUDIO_PORT: '70000' }, /RAG_STUDIO_PORT must be an integer/],
    [[], { RAG_STUDIO_READ_ONLY: 'maybe' }, /RAG_STUDIO_READ_ONLY must be 1\/0/],
    [['--transport', 'websocket'], {}, /--transport must be one of stdio, http/],
    [['--log-level', 'loud'], {}, /--log-level must be one of/],
    [['--embedding-pooling', 'max'], {}, /--embedding-pooling must be one of cls, mean/],
    [['--hf-endpoint', 'ftp://x'], {}, /--hf-endpoint must be an http\(s\) URL/],
    [['--max-chunks-per-call', '0'], {}, /--max-chunks-per-call must be an integer in 1\.\./],
    [['--gc-interval=-5'], {}, /--gc-interval must be an integer in 0\.\./],
    [['--calibration-probes', '3'], {}, /--calibration-probes must be an integer in 8\.\.2000, got "3"/],
    [['--gc-interval', '-5'], {}, /argument is ambiguous/],
    [['--no-such-flag'], {}, /Unknown option '--no-such-flag'.* Run with --help/],
    [['--auth-token', 'short'], {}, /at least 16 characters/],
    [['--models-dir', 's3://bucket/models'], {}, /must be a local directory/],
    [['--allowed-origins', 'not a url'], {}, /is not an origin/],
  ] as const)('%j %j', (argv, env, pattern) => {
    expect(failure([...argv], env)).toMatch(pattern);
  });

  it('refuses a non-loopback HTTP bind without a token', () => {
    expect(failure(['--transport', 'http', '--host', '0.0.0.0'])).toMatch(
      /refusing to serve HTTP on non-loopback host "0\.0\.0\.0" without a token/,
    );
    expect(() =>
      load(['--transport', 'http', '--host', '0.0.0.0', '--auth-token', 'f3a91c0e7b2d4a6f8e1c3b5d7a9f0e2c']),
    ).not.toThrow();
    expect(() => load(['--transport', 'http', '--host', 'localhost'])).not.toThrow();
    expect(() => load(['--transport', 'http', '--host', '::1'])).not.toThrow();
    // stdio ignores --host, so it is not an error there.
    expect(() => load(['--host', '0.0.0.0'])).not.toThrow();
  });
});

describe('help', () => {
  it('returns help and version actions', () => {
    expect(parseCommandLine(['--help'], { env: {} })).toEqual({ action: 'help' });
    expect(parseCommandLine(['-v'], { env: {} })).toEqual({ action: 'version' });
  });

  it('documents every flag and env var', () => {
    const text = helpText(DEFAULT_LIMITS);
    for (const setting of allSettings(DEFAULT_LIMITS)) {
      expect(text).toContain(`--${setting.flag}`);
      for (const env of setting.env) expect(text).toContain(env);
    }
  });
});

describe('embedding model forms', () => {
  const model = (value: string) => load([], { RAG_STUDIO_EMBEDDING_MODEL: value }).embedding.model;

  it('accepts hub ids, existing directories (./relative resolved from the cwd), hash and none', () => {
    expect(model('Xenova/bge-small-en-v1.5')).toBe('Xenova/bge-small-en-v1.5');
    expect(model('hash')).toBe('hash');
    expect(model('none')).toBe('none');
    expect(model(tmpdir())).toBe(tmpdir());
    const fromCwd = parseCommandLine(['--embedding-model', './'], { env: {}, cwd: tmpdir(), home });
    expect(fromCwd.action === 'serve' && fromCwd.config.embedding.model).toBe(tmpdir());
  });

  it.each(['hsah', 'bge-small-en', 'a/../b', '~/models', join(tmpdir(), 'no-such-model-dir')])(
    'refuses %s, listing the accepted forms',
    (value) => {
      expect(() => model(value)).toThrow(ConfigError);
      expect(() => model(value)).toThrow(/Hugging Face model id like .*"hash" .*"none"/);
    },
  );
});

describe('rerank model', () => {
  it('is off by default and with none; a model shares the embedding models dir, offline flag and batch size', () => {
    expect(load([]).rerank).toBeUndefined();
    expect(load([], { RAG_STUDIO_RERANK_MODEL: 'none' }).rerank).toBeUndefined();
    const config = load([
      '--rerank-model',
      'Xenova/ms-marco-MiniLM-L-6-v2',
      '--offline',
      '--embedding-batch',
      '8',
    ]);
    expect(config.rerank).toMatchObject({
      model: 'Xenova/ms-marco-MiniLM-L-6-v2',
      modelsDir: config.embedding.modelsDir,
      offline: true,
      batchSize: 8,
    });
    expect(load([], { RAG_STUDIO_RERANK_MODEL: tmpdir() }).rerank?.model).toBe(tmpdir());
  });

  it('refuses hash (an embedder) and malformed ids, naming the setting', () => {
    expect(() => load([], { RAG_STUDIO_RERANK_MODEL: 'hash' })).toThrow(
      /RAG_STUDIO_RERANK_MODEL.*not a reranker/,
    );
    expect(() => load(['--rerank-model', 'ms-marco'])).toThrow(ConfigError);
  });
});

describe('unknown RAG_STUDIO_ variables', () => {
  const warnings = (env: Record<string, string>) => {
    const command = parseCommandLine([], { env, platform: 'linux', home, cwd: '/work/project' });
    if (command.action !== 'serve') throw new Error('unexpected action');
    return command.warnings;
  };

  it('names the closest known setting for each typo, and stays quiet about known ones', () => {
    expect(
      warnings({
        RAG_STUDIO_EMBEDING_MODEL: 'x',
        RAG_STUDIO_DATADIR: '/d',
        RAG_STUDIO_PORT: '1',
        RAG_STUDIO_MAX_LIMIT: '5',
        RAG_STUDIO_SKIP_MOUNT_TESTS: '1',
        OTHER_VAR: '1',
      }),
    ).toEqual([
      'unknown setting RAG_STUDIO_DATADIR is ignored; did you mean RAG_STUDIO_DATA_DIR? (--help lists every setting)',
      'unknown setting RAG_STUDIO_EMBEDING_MODEL is ignored; did you mean RAG_STUDIO_EMBEDDING_MODEL? (--help lists every setting)',
    ]);
    expect(warnings({ RAG_STUDIO_COMPLETELY_DIFFERENT_THING: '1' })).toEqual([
      'unknown setting RAG_STUDIO_COMPLETELY_DIFFERENT_THING is ignored; run with --help for the settings',
    ]);
  });
});
