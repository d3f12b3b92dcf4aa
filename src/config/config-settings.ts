// The table of every server setting: CLI flag, env vars, default and meaning. Parsing, --help and the docs use it.
import { MODEL_DTYPES, POOLINGS } from '../engine/embedding/settings.js';
import type { EngineLimits } from '../engine/types.js';

export type SettingGroup = 'storage' | 'gc' | 'embedding' | 'transport' | 'limits' | 'logging';

export interface SettingSpec {
  /** Long CLI flag without the dashes. */
  flag: string;
  /** Env vars read, first one documented as the setting's name; later ones are accepted aliases. */
  env: readonly string[];
  type: 'string' | 'boolean';
  /** Placeholder shown in --help, e.g. `<dir>`. */
  value?: string;
  /** The default as a person reads it; computed defaults (paths, engine limits) are described. */
  defaultText: string;
  doc: string;
  group: SettingGroup;
}

/** Engine limits, one setting each; the engine's DEFAULT_LIMITS supply the defaults. */
export const LIMIT_SETTINGS: ReadonlyArray<{
  key: keyof EngineLimits;
  flag: string;
  env: string;
  doc: string;
}> = [
  {
    key: 'maxChunksPerCall',
    flag: 'max-chunks-per-call',
    env: 'RAG_STUDIO_MAX_CHUNKS_PER_CALL',
    doc: 'Chunks one upsert_chunks call may carry.',
  },
  {
    key: 'maxContentBytes',
    flag: 'max-content-bytes',
    env: 'RAG_STUDIO_MAX_CONTENT_BYTES',
    doc: "UTF-8 bytes of one chunk's content.",
  },
  {
    key: 'maxMetadataBytes',
    flag: 'max-metadata-bytes',
    env: 'RAG_STUDIO_MAX_METADATA_BYTES',
    doc: "JSON bytes of one chunk's metadata.",
  },
  {
    key: 'maxMetadataDepth',
    flag: 'max-metadata-depth',
    env: 'RAG_STUDIO_MAX_METADATA_DEPTH',
    doc: 'Nesting depth of metadata objects/arrays.',
  },
  {
    key: 'maxIdLength',
    flag: 'max-id-length',
    env: 'RAG_STUDIO_MAX_ID_LENGTH',
    doc: 'Characters in a chunk_id or document_id.',
  },
  {
    key: 'maxQueryLength',
    flag: 'max-query-length',
    env: 'RAG_STUDIO_MAX_QUERY_LENGTH',
    doc: 'Characters in a search query.',
  },
  {
    key: 'maxLimit',
    flag: 'max-limit',
    env: 'RAG_STUDIO_MAX_LIMIT',
    doc: 'Largest search `limit` (hybrid_search also caps it at 100).',
  },
  { key: 'maxOffset', flag: 'max-offset', env: 'RAG_STUDIO_MAX_OFFSET', doc: 'Largest search `offset`.' },
  {
    key: 'maxFilterNodes',
    flag: 'max-filter-nodes',
    env: 'RAG_STUDIO_MAX_FILTER_NODES',
    doc: 'Conditions in one search filter.',
  },
  {
    key: 'maxFilterDepth',
    flag: 'max-filter-depth',
    env: 'RAG_STUDIO_MAX_FILTER_DEPTH',
    doc: 'Nesting depth of `$and`/`$or` in a filter.',
  },
  {
    key: 'maxDeleteIds',
    flag: 'max-delete-ids',
    env: 'RAG_STUDIO_MAX_DELETE_IDS',
    doc: 'Ids one delete_chunks call may list.',
  },
  {
    key: 'maxCitationBytes',
    flag: 'max-citation-bytes',
    env: 'RAG_STUDIO_MAX_CITATION_BYTES',
    doc: 'UTF-8 bytes of each citation field (`title`, `source_path`, `license`, `version`, `anchor`).',
  },
  {
    key: 'maxSearchCacheBytes',
    flag: 'max-search-cache-bytes',
    env: 'RAG_STUDIO_MAX_SEARCH_CACHE_BYTES',
    doc: 'Estimated bytes of search results kept in the result cache (at most 256 entries); a result set over a quarter of it is not cached.',
  },
];

/** Default HTTP request body cap: room for a full batch of chunks with 384-d vectors as JSON text. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_HTTP_SESSIONS = 256;
export const DEFAULT_HTTP_SESSION_IDLE_SECONDS = 1800;
export const DEFAULT_HTTP_PORT = 3333;
/** Request-body bytes buffered at once across all HTTP requests (8 full-size bodies). */
export const DEFAULT_MAX_INFLIGHT_BODY_BYTES = 128 * 1024 * 1024;
export const LOOPBACK_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

export const SETTINGS = {
  dataDir: {
    flag: 'data-dir',
    env: ['RAG_STUDIO_DATA_DIR'],
    type: 'string',
    value: '<dir|uri>',
    group: 'storage',
    defaultText:
      '`$XDG_DATA_HOME/rag-studio` or `~/.local/share/rag-studio`; macOS `~/Library/Application Support/rag-studio`; Windows `%LOCALAPPDATA%\\rag-studio`',
    doc: 'Where knowledge bases live: a directory or a LanceDB URI (`s3://…`, `gs://…`, `az://…`).',
  },
  readOnly: {
    flag: 'read-only',
    env: ['RAG_STUDIO_READ_ONLY'],
    type: 'boolean',
    group: 'storage',
    defaultText: 'off',
    doc: 'Serve search and resources only: the write tools are not registered and nothing is written.',
  },
  ingestRoots: {
    flag: 'ingest-roots',
    env: ['RAG_STUDIO_INGEST_ROOTS'],
    type: 'string',
    value: '<dir[:dir…]>',
    group: 'storage',
    defaultText: 'none',
    doc: "Folders the `ingest_documents` tool may read, besides the client's MCP roots; separated by `:` (`;` on Windows).",
  },
  storageOptions: {
    flag: 'storage-options',
    env: ['RAG_STUDIO_STORAGE_OPTIONS'],
    type: 'string',
    value: '<json>',
    group: 'storage',
    defaultText: 'none (LanceDB reads `AWS_*`, `GOOGLE_*`, `AZURE_*` env vars)',
    doc: 'Object-store options for an `s3://`/`gs://`/`az://` data dir, as a JSON object of strings, e.g. `{"aws_endpoint":"http://127.0.0.1:9000","allow_http":"true"}`.',
  },
  staleness: {
    flag: 'staleness-ms',
    env: ['RAG_STUDIO_STALENESS_MS'],
    type: 'string',
    value: '<ms>',
    group: 'storage',
    defaultText: '1000',
    doc: 'Other processes on the same store: their writes and promotions are seen here within this many ms; 0 checks on every request.',
  },
  gcInterval: {
    flag: 'gc-interval',
    env: ['RAG_STUDIO_GC_INTERVAL_S'],
    type: 'string',
    value: '<seconds>',
    group: 'gc',
    defaultText: '3600',
    doc: 'Period of the background garbage collector; 0 disables it (run_gc still works).',
  },
  retentionEpochs: {
    flag: 'retention-epochs',
    env: ['RAG_STUDIO_RETENTION_EPOCHS'],
    type: 'string',
    value: '<n>',
    group: 'gc',
    defaultText: '2',
    doc: 'Archived generations within this many promotions of the present are kept for rollback.',
  },
  gcMinAge: {
    flag: 'gc-min-age',
    env: ['RAG_STUDIO_GC_MIN_AGE_S'],
    type: 'string',
    value: '<seconds>',
    group: 'gc',
    defaultText: '3600',
    doc: 'Nothing younger than this (archived generations, old table versions) is collected.',
  },
  buildingTtl: {
    flag: 'building-ttl',
    env: ['RAG_STUDIO_BUILDING_TTL_S'],
    type: 'string',
    value: '<seconds>',
    group: 'gc',
    defaultText: '86400',
    doc: 'A `building` generation untouched this long counts as abandoned and is collected.',
  },
  embeddingModel: {
    flag: 'embedding-model',
    env: ['RAG_STUDIO_EMBEDDING_MODEL'],
    type: 'string',
    value: '<id|path>',
    group: 'embedding',
    defaultText: '`Xenova/bge-small-en-v1.5`',
    doc: 'Hugging Face id `org/name`, an existing model directory, `hash` (non-semantic, for tests only) or `none` (no model: text chunks stored without vectors, lexical search). Checked at launch.',
  },
  modelsDir: {
    flag: 'models-dir',
    env: ['RAG_STUDIO_MODELS_DIR'],
    type: 'string',
    value: '<dir>',
    group: 'embedding',
    defaultText: '`<per-user data dir>/rag-studio/models`',
    doc: 'Local models and the download cache (never the working directory).',
  },
  offline: {
    flag: 'offline',
    env: ['RAG_STUDIO_OFFLINE', 'HF_HUB_OFFLINE'],
    type: 'boolean',
    group: 'embedding',
    defaultText: 'off',
    doc: 'Never download a model; a model missing from the models dir is an error naming where it was expected.',
  },
  hfEndpoint: {
    flag: 'hf-endpoint',
    env: ['RAG_STUDIO_HF_ENDPOINT'],
    type: 'string',
    value: '<url>',
    group: 'embedding',
    defaultText: '`https://huggingface.co`',
    doc: 'Mirror host to download models from.',
  },
  embeddingPooling: {
    flag: 'embedding-pooling',
    env: ['RAG_STUDIO_EMBEDDING_POOLING'],
    type: 'string',
    value: POOLINGS.join('|'),
    group: 'embedding',
    defaultText: 'from the known-model table (`cls` for BGE, else `mean`)',
    doc: 'Overrides the pooling of the model.',
  },
  embeddingDtype: {
    flag: 'embedding-dtype',
    env: ['RAG_STUDIO_EMBEDDING_DTYPE'],
    type: 'string',
    value: MODEL_DTYPES.join('|'),
    group: 'embedding',
    defaultText: '`q8` when a quantized file exists, else `fp32`',
    doc: 'Overrides the model weights type.',
  },
  embeddingBatch: {
    flag: 'embedding-batch',
    env: ['RAG_STUDIO_EMBEDDING_BATCH'],
    type: 'string',
    value: '<n>',
    group: 'embedding',
    defaultText: '32',
    doc: 'Texts per inference batch.',
  },
  calibrationProbes: {
    flag: 'calibration-probes',
    env: ['RAG_STUDIO_CALIBRATION_PROBES'],
    type: 'string',
    value: '<n>',
    group: 'embedding',
    defaultText: '150',
    doc: "Probe queries of each kind (held-out, verbatim) that measure a generation's hybrid fusion weights when it is sealed or has grown (8–2000). Fewer seal faster, with a wider noise band, so a mix of the two sides is kept less often.",
  },
  queryCacheSize: {
    flag: 'embedding-query-cache',
    env: ['RAG_STUDIO_EMBEDDING_QUERY_CACHE'],
    type: 'string',
    value: '<n>',
    group: 'embedding',
    defaultText: '1000',
    doc: 'Query embeddings kept in an LRU cache (and at most 32 MiB of them); 0 disables it.',
  },
  queryPrefix: {
    flag: 'embedding-query-prefix',
    env: ['RAG_STUDIO_EMBEDDING_QUERY_PREFIX'],
    type: 'string',
    value: '<text>',
    group: 'embedding',
    defaultText: "from the known-model table (BGE's instruction)",
    doc: 'Overrides the instruction prepended to search queries before embedding.',
  },
  documentPrefix: {
    flag: 'embedding-document-prefix',
    env: ['RAG_STUDIO_EMBEDDING_DOCUMENT_PREFIX'],
    type: 'string',
    value: '<text>',
    group: 'embedding',
    defaultText: "from the known-model table (e5's `passage: `)",
    doc: 'Overrides the prefix prepended to chunk text before embedding.',
  },
  embeddingThreads: {
    flag: 'embedding-threads',
    env: ['RAG_STUDIO_EMBEDDING_THREADS'],
    type: 'string',
    value: '<n>',
    group: 'embedding',
    defaultText: 'one less than the CPU cores, at most 4',
    doc: 'ONNX Runtime threads for embedding; the rest stay free so searches keep answering.',
  },
  rerankModel: {
    flag: 'rerank-model',
    env: ['RAG_STUDIO_RERANK_MODEL'],
    type: 'string',
    value: '<id|path>',
    group: 'embedding',
    defaultText: 'off',
    doc: 'Cross-encoder for `hybrid_search` with `rerank: true`, e.g. `Xenova/ms-marco-MiniLM-L-6-v2`: a Hugging Face id or a model directory, loaded like the embedding model (models dir, offline, threads, batch size). Off when unset or `none`.',
  },
  transport: {
    flag: 'transport',
    env: ['RAG_STUDIO_TRANSPORT'],
    type: 'string',
    value: 'stdio|http',
    group: 'transport',
    defaultText: '`stdio`',
    doc: 'stdio for a client that spawns the server; http for Streamable HTTP at `http://<host>:<port>/mcp`.',
  },
  host: {
    flag: 'host',
    env: ['RAG_STUDIO_HOST'],
    type: 'string',
    value: '<host>',
    group: 'transport',
    defaultText: '`127.0.0.1`',
    doc: 'HTTP bind address. Anything but loopback requires an auth token.',
  },
  port: {
    flag: 'port',
    env: ['RAG_STUDIO_PORT'],
    type: 'string',
    value: '<port>',
    group: 'transport',
    defaultText: String(DEFAULT_HTTP_PORT),
    doc: 'HTTP port; 0 picks a free one (the bound URL is logged).',
  },
  authToken: {
    flag: 'auth-token',
    env: ['RAG_STUDIO_AUTH_TOKEN'],
    type: 'string',
    value: '<token>',
    group: 'transport',
    defaultText: 'generated, stored in `<data dir>/http-token`',
    doc: 'Bearer token every HTTP request must carry (`Authorization: Bearer …`), at least 16 characters (32 beyond loopback), not a repeated pattern. Without one the server generates a token at first start, keeps it in `<data dir>/http-token` (mode 0600) and prints the connection URL on stderr. Prefer the env var: flags show up in process lists.',
  },
  allowedHosts: {
    flag: 'allowed-hosts',
    env: ['RAG_STUDIO_ALLOWED_HOSTS'],
    type: 'string',
    value: '<h1,h2>',
    group: 'transport',
    defaultText: '`localhost,127.0.0.1,[::1]` plus the bind host',
    doc: 'Host header names accepted (DNS-rebinding guard); `*` accepts any.',
  },
  allowedOrigins: {
    flag: 'allowed-origins',
    env: ['RAG_STUDIO_ALLOWED_ORIGINS'],
    type: 'string',
    value: '<o1,o2>',
    group: 'transport',
    defaultText: 'none',
    doc: 'Browser origins accepted, e.g. `http://localhost:5173` or `https://app.example.com`; `*` accepts any. Pages on other origins, other loopback ports included, get 403. Requests without Origin (non-browser clients) are accepted.',
  },
  maxBodyBytes: {
    flag: 'max-body-bytes',
    env: ['RAG_STUDIO_MAX_BODY_BYTES'],
    type: 'string',
    value: '<bytes>',
    group: 'transport',
    defaultText: String(DEFAULT_MAX_BODY_BYTES),
    doc: 'Largest HTTP request body; larger ones get 413.',
  },
  maxHttpSessions: {
    flag: 'max-http-sessions',
    env: ['RAG_STUDIO_MAX_HTTP_SESSIONS'],
    type: 'string',
    value: '<n>',
    group: 'transport',
    defaultText: String(DEFAULT_MAX_HTTP_SESSIONS),
    doc: 'HTTP sessions open at once; an initialize beyond it gets 503 until one closes or expires.',
  },
  httpSessionIdleSeconds: {
    flag: 'http-session-idle-seconds',
    env: ['RAG_STUDIO_HTTP_SESSION_IDLE_SECONDS'],
    type: 'string',
    value: '<s>',
    group: 'transport',
    defaultText: String(DEFAULT_HTTP_SESSION_IDLE_SECONDS),
    doc: 'An HTTP session with no request in flight and none for this long is closed (its client gets 404 and initializes again); `0` keeps sessions until deleted.',
  },
  maxInflightBodyBytes: {
    flag: 'max-inflight-body-bytes',
    env: ['RAG_STUDIO_MAX_INFLIGHT_BODY_BYTES'],
    type: 'string',
    value: '<bytes>',
    group: 'transport',
    defaultText: String(DEFAULT_MAX_INFLIGHT_BODY_BYTES),
    doc: 'Request-body bytes buffered at once across all HTTP requests; a request beyond it gets 503 (retry).',
  },
  httpStreamIdleSeconds: {
    flag: 'http-stream-idle-seconds',
    env: ['RAG_STUDIO_HTTP_STREAM_IDLE_SECONDS'],
    type: 'string',
    value: '<s>',
    group: 'transport',
    defaultText: '4 × the session idle time, at least 3600 (0 when that is 0)',
    doc: 'A session whose client keeps an event stream (GET) open but sends no request for this long is closed, so parked streams cannot hold every session slot; `0` lets streams keep sessions forever.',
  },
  logLevel: {
    flag: 'log-level',
    env: ['RAG_STUDIO_LOG_LEVEL'],
    type: 'string',
    value: 'debug|info|warning|error',
    group: 'logging',
    defaultText: '`info`',
    doc: 'Least severe message written to stderr (MCP clients pick their own level with logging/setLevel).',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/** Every setting including the limits, in documentation order. */
export function allSettings(limitDefaults: EngineLimits): SettingSpec[] {
  const limits: SettingSpec[] = LIMIT_SETTINGS.map((l) => ({
    flag: l.flag,
    env: [l.env],
    type: 'string',
    value: '<n>',
    group: 'limits',
    defaultText: String(limitDefaults[l.key]),
    doc: l.doc,
  }));
  return [...Object.values(SETTINGS), ...limits];
}

/** `--help` text, generated from the same table the parser reads. */
export function helpText(limitDefaults: EngineLimits): string {
  const lines = [
    'Usage: rag-studio-mcp [options]',
    '',
    'A local knowledge base for AI agents over MCP (stdio by default, or Streamable HTTP).',
    'Every option can also be set by the environment variable shown; the flag wins.',
    '',
  ];
  for (const s of allSettings(limitDefaults)) {
    const flag = `--${s.flag}${s.value === undefined ? '' : ` ${s.value}`}`;
    lines.push(
      `  ${flag}`,
      `      ${s.env.join(' / ')}  ${s.doc} Default: ${s.defaultText.replaceAll('`', '')}.`,
    );
  }
  lines.push('  -h, --help      Show this help.', '  -v, --version   Print the version.');
  return lines.join('\n');
}
