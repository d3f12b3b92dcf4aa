// Server configuration: CLI flags over env vars over defaults, validated into one typed object or one ConfigError line.
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_EMBEDDING_MODEL,
  MODEL_DTYPES,
  POOLINGS,
  type EmbeddingSettings,
} from '../engine/embedding/settings.js';
import type { EngineLimits, EngineLogLevel, EngineOptions } from '../engine/types.js';
import { CALIBRATION_PROBES, MAX_CALIBRATION_PROBES, MIN_PROBES } from '../engine/search/draw-probes.js';
import {
  DEFAULT_HTTP_PORT,
  DEFAULT_HTTP_SESSION_IDLE_SECONDS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HTTP_SESSIONS,
  LIMIT_SETTINGS,
  LOOPBACK_HOSTNAMES,
  SETTINGS,
  type SettingSpec,
} from './config-settings.js';
import { ConfigError, reader, type SettingsReader } from './config-reader.js';
import { checkEmbeddingModel, checkRerankModel, NO_EMBEDDER_MODEL } from './embedding-model.js';
import { tokenProblem } from './token-strength.js';
import { unknownEnvWarnings } from './unknown-env.js';
import { defaultDataDir, defaultModelsDir } from './user-dirs.js';

export { ConfigError } from './config-reader.js';
export { HASH_MODEL, NO_EMBEDDER_MODEL } from './embedding-model.js';

export interface HttpConfig {
  host: string;
  port: number;
  /** Bearer token; undefined means no authentication (allowed on loopback only). */
  authToken: string | undefined;
  /** Host header names accepted, lower-case, IPv6 in brackets; `['*']` accepts any. */
  allowedHosts: string[];
  /** Extra Origin values accepted besides loopback origins; `['*']` accepts any. */
  allowedOrigins: string[];
  maxBodyBytes: number;
  /** Sessions open at once; initialize beyond it gets 503. */
  maxSessions: number;
  /** Idle sessions (nothing in flight) close after this many seconds; 0 = never. */
  sessionIdleSeconds: number;
  /** Request-body bytes buffered at once across requests (default DEFAULT_MAX_INFLIGHT_BODY_BYTES). */
  maxInflightBodyBytes?: number;
  /** A session with only an event stream open and no request for this long closes; 0 = never (default: see streamIdleSecondsFor). */
  streamIdleSeconds?: number;
}

export interface ServerConfig {
  dataDir: string;
  readOnly: boolean;
  /** Absolute folders ingest_documents may read (besides the client's roots). */
  ingestRoots: string[];
  /** Object-store options for LanceDB, when given. */
  storageOptions?: Record<string, string>;
  stalenessMs: number;
  /** Probe queries of each kind per fusion calibration. */
  calibrationProbes: number;
  gc: { intervalSeconds: number; retentionEpochs: number; minAgeSeconds: number; buildingTtlSeconds: number };
  /** `model` is NO_EMBEDDER_MODEL when embeddings are switched off. */
  embedding: EmbeddingSettings;
  /** The cross-encoder's settings (the embedding ones with its model id); absent when reranking is off. */
  rerank?: EmbeddingSettings;
  transport: 'stdio' | 'http';
  http: HttpConfig;
  /** Only the limits the user set; the engine fills in the rest from DEFAULT_LIMITS. */
  limits: Partial<EngineLimits>;
  logLevel: EngineLogLevel;
}

export type CliCommand =
  | { action: 'help' }
  | { action: 'version' }
  /** `warnings`: things the user probably got wrong but that do not stop the server (misspelled variables). */
  | { action: 'serve'; config: ServerConfig; warnings: string[] };

export interface ConfigSources {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
  cwd?: string;
}

const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Parses argv (without `node` and the script) and the environment. Throws ConfigError. */
export function parseCommandLine(argv: readonly string[], sources: ConfigSources = {}): CliCommand {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const spec of Object.values(SETTINGS) as SettingSpec[]) options[spec.flag] = { type: spec.type };
  for (const limit of LIMIT_SETTINGS) options[limit.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(
      `${(error as Error).message.replace(/\s*\n\s*/g, ' ')} Run with --help for the options.`,
    );
  }
  if (values.help === true) return { action: 'help' };
  if (values.version === true) return { action: 'version' };
  const config = resolveConfig(values, sources);
  return { action: 'serve', config, warnings: unknownEnvWarnings(sources.env ?? process.env) };
}

function resolveConfig(
  flags: Record<string, string | boolean | undefined>,
  sources: ConfigSources,
): ServerConfig {
  const env = sources.env ?? process.env;
  const dirs = { platform: sources.platform ?? process.platform, env, home: sources.home ?? homedir() };
  const cwd = sources.cwd ?? process.cwd();
  const read = reader(flags, env);

  const dataDirRaw = read.string('dataDir');
  const dataDir =
    dataDirRaw === undefined
      ? defaultDataDir(dirs)
      : URI_SCHEME.test(dataDirRaw)
        ? dataDirRaw
        : resolve(cwd, dataDirRaw);
  const modelsDirRaw = read.string('modelsDir');
  if (modelsDirRaw !== undefined && URI_SCHEME.test(modelsDirRaw)) {
    throw new ConfigError(`${read.source('modelsDir')} must be a local directory, got "${modelsDirRaw}"`);
  }

  const transport = read.oneOf('transport', ['stdio', 'http'] as const) ?? 'stdio';
  const http = resolveHttp(read);
  if (transport === 'http' && http.authToken === undefined && !isLoopbackHost(http.host)) {
    throw new ConfigError(
      `refusing to serve HTTP on non-loopback host "${http.host}" without a token: set RAG_STUDIO_AUTH_TOKEN (or bind 127.0.0.1)`,
    );
  }

  const limits: Partial<EngineLimits> = {};
  for (const limit of LIMIT_SETTINGS) {
    const value = read.integerFrom(limit.flag, [limit.env], 1, Number.MAX_SAFE_INTEGER);
    if (value !== undefined) limits[limit.key] = value;
  }

  const pooling = read.oneOf('embeddingPooling', POOLINGS);
  const dtype = read.oneOf('embeddingDtype', MODEL_DTYPES);
  const hfEndpoint = read.url('hfEndpoint');
  const queryPrefix = read.string('queryPrefix');
  const documentPrefix = read.string('documentPrefix');
  const threads = read.integer('embeddingThreads', 1, 256);
  const modelRaw = read.string('embeddingModel');
  const embedding: EmbeddingSettings = {
    model:
      modelRaw === undefined
        ? DEFAULT_EMBEDDING_MODEL
        : checkEmbeddingModel(modelRaw, read.source('embeddingModel'), cwd),
    modelsDir: modelsDirRaw === undefined ? defaultModelsDir(dirs) : resolve(cwd, modelsDirRaw),
    offline: read.anyBoolean('offline'),
    batchSize: read.integer('embeddingBatch', 1, 4096) ?? 32,
    queryCacheSize: read.integer('queryCacheSize', 0, 10_000_000) ?? 1000,
    ...(hfEndpoint === undefined ? {} : { hfEndpoint }),
    ...(pooling === undefined ? {} : { pooling }),
    ...(dtype === undefined ? {} : { dtype }),
    ...(queryPrefix === undefined ? {} : { queryPrefix }),
    ...(documentPrefix === undefined ? {} : { documentPrefix }),
    ...(threads === undefined ? {} : { threads }),
  };

  const rerankRaw = read.string('rerankModel');
  const rerankModel =
    rerankRaw === undefined || rerankRaw.trim() === NO_EMBEDDER_MODEL
      ? undefined
      : checkRerankModel(rerankRaw, read.source('rerankModel'), cwd);
  const rerank: EmbeddingSettings | undefined =
    rerankModel === undefined
      ? undefined
      : {
          model: rerankModel,
          modelsDir: embedding.modelsDir,
          offline: embedding.offline,
          batchSize: embedding.batchSize,
          ...(hfEndpoint === undefined ? {} : { hfEndpoint }),
          ...(threads === undefined ? {} : { threads }),
        };

  const storageOptions = parseStorageOptions(read.string('storageOptions'), read.source('storageOptions'));
  return {
    dataDir,
    readOnly: read.anyBoolean('readOnly'),
    ingestRoots: (read.string('ingestRoots') ?? '')
      .split(delimiter)
      .filter((dir) => dir.trim() !== '')
      .map((dir) => resolve(cwd, dir.trim())),
    ...(storageOptions ? { storageOptions } : {}),
    stalenessMs: read.integer('staleness', 0, 3_600_000) ?? 1000,
    calibrationProbes:
      read.integer('calibrationProbes', MIN_PROBES, MAX_CALIBRATION_PROBES) ?? CALIBRATION_PROBES,
    gc: {
      intervalSeconds: read.integer('gcInterval', 0, 31_536_000) ?? 3600,
      retentionEpochs: read.integer('retentionEpochs', 0, 1_000_000) ?? 2,
      minAgeSeconds: read.integer('gcMinAge', 0, 31_536_000) ?? 3600,
      buildingTtlSeconds: read.integer('buildingTtl', 0, 31_536_000) ?? 86_400,
    },
    embedding,
    ...(rerank ? { rerank } : {}),
    transport,
    http,
    limits,
    logLevel: read.oneOf('logLevel', LOG_LEVELS) ?? 'info',
  };
}

/** A JSON object whose values are strings (object_store takes every option as a string). */
function parseStorageOptions(raw: string | undefined, source: string): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      `${source} must be a JSON object like {"aws_region":"us-east-1"}, got "${raw.slice(0, 80)}"`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${source} must be a JSON object of option names to values`);
  }
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(`${source}: option "${key}" must be a string, number or boolean`);
    }
    options[key] = String(value);
  }
  return options;
}

function resolveHttp(read: SettingsReader): HttpConfig {
  const host = read.string('host') ?? '127.0.0.1';
  const authToken = read.string('authToken');
  const badToken = authToken === undefined ? undefined : tokenProblem(authToken, !isLoopbackHost(host));
  if (badToken !== undefined) throw new ConfigError(`${read.source('authToken')} ${badToken}`);
  const hostsRaw = read.list('allowedHosts');
  const bindName = normalizeHostname(host);
  const wildcardBind = bindName === '0.0.0.0' || bindName === '[::]';
  const allowedHosts = hostsRaw ?? [...new Set([...LOOPBACK_HOSTNAMES, ...(wildcardBind ? [] : [bindName])])];
  const originsRaw = read.list('allowedOrigins') ?? [];
  const allowedOrigins = originsRaw.map((origin) => {
    if (origin === '*') return origin;
    try {
      return new URL(origin).origin;
    } catch {
      throw new ConfigError(
        `${read.source('allowedOrigins')}: "${origin}" is not an origin like https://app.example.com`,
      );
    }
  });
  return {
    host,
    port: read.integer('port', 0, 65_535) ?? DEFAULT_HTTP_PORT,
    authToken,
    allowedHosts: allowedHosts.map((h) => (h === '*' ? h : normalizeHostname(h))),
    allowedOrigins,
    maxBodyBytes: read.integer('maxBodyBytes', 1024, 1024 * 1024 * 1024) ?? DEFAULT_MAX_BODY_BYTES,
    maxSessions: read.integer('maxHttpSessions', 1, 100_000) ?? DEFAULT_MAX_HTTP_SESSIONS,
    sessionIdleSeconds:
      read.integer('httpSessionIdleSeconds', 0, 30 * 86_400) ?? DEFAULT_HTTP_SESSION_IDLE_SECONDS,
    ...optionalInteger('maxInflightBodyBytes', read.integer('maxInflightBodyBytes', 1024, 2 ** 40)),
    ...optionalInteger('streamIdleSeconds', read.integer('httpStreamIdleSeconds', 0, 30 * 86_400)),
  };
}

function optionalInteger<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Lower-case hostname as `URL` reports it (IPv6 bracketed), so it compares with parsed Host headers. */
export function normalizeHostname(host: string): string {
  const bare = host.startsWith('[') ? host : host.includes(':') ? `[${host}]` : host;
  try {
    return new URL(`http://${bare}`).hostname;
  } catch {
    throw new ConfigError(`"${host}" is not a valid host name`);
  }
}

export function isLoopbackHost(host: string): boolean {
  const name = normalizeHostname(host);
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The engine options this configuration implies. */
export function engineOptionsFrom(config: ServerConfig): Omit<EngineOptions, 'embedder' | 'log'> {
  return {
    dataDir: config.dataDir,
    readOnly: config.readOnly,
    stalenessMs: config.stalenessMs,
    calibrationProbes: config.calibrationProbes,
    ...(config.storageOptions ? { storageOptions: config.storageOptions } : {}),
    limits: config.limits,
    gcIntervalSeconds: config.readOnly ? 0 : config.gc.intervalSeconds,
    retentionEpochs: config.gc.retentionEpochs,
    minAgeSeconds: config.gc.minAgeSeconds,
    buildingTtlSeconds: config.gc.buildingTtlSeconds,
  };
}
