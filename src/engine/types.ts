// Public types of the engine: knowledge bases, generations, chunks, search, GC, embedders. No I/O here.
import type { CompareGenerationsRequest, GenerationsComparison } from './evaluation/compare-generations.js';
import type { SetGoldenQueriesRequest } from './evaluation/golden-queries.js';
import type { GateReport, PromoteOptions } from './evaluation/promotion-gate.js';
import type { GoldenSet } from './storage/golden-queries.js';
import type { EngineText } from './terms.js';

// The enums below are declared once, as arrays, so the tool and resource schemas are built from them.

/** Distance metrics of a generation's vector space. */
export const METRICS = ['cosine', 'l2', 'dot'] as const;
export type Metric = (typeof METRICS)[number];

/** Lifecycle: building → ready → active → archived → marked_for_deletion → (gone). */
export const GENERATION_STATUSES = [
  'building',
  'ready',
  'active',
  'archived',
  'marked_for_deletion',
] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];

/** Search modes; the first is the default. */
export const SEARCH_MODES = ['hybrid', 'vector', 'lexical'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
/** How hybrid search merges its two rankings; the first is the default. */
export const FUSION_METHODS = ['calibrated', 'rrf', 'weighted', 'adaptive'] as const;
export type FusionMethod = (typeof FUSION_METHODS)[number];
/** Where a hybrid search's fusion weights came from (see FusionWeights.source). */
export const WEIGHT_SOURCES = [
  'calibrated',
  'uncalibrated',
  'request',
  'confidence',
  'rank',
  'default',
] as const;
/** How much of each chunk a search returns; the first is the default. */
export const CONTENT_MODES = ['full', 'snippet', 'none'] as const;
export type ContentMode = (typeof CONTENT_MODES)[number];
/** What search results can be grouped by. */
export const GROUP_BY_KEYS = ['document'] as const;
/** How a token count was made: with the embedding model's tokenizer, or estimated from the characters. */
export const TOKEN_COUNTERS = ['model', 'estimate'] as const;
export type TokenCounter = (typeof TOKEN_COUNTERS)[number];

/**
 * How informative each side of hybrid search is on one generation, estimated when the generation is sealed,
 * when a never-sealed one reaches CALIBRATION_MIN_ROWS, when it has doubled, or when its golden queries
 * change (see engine/search/calibration.ts and auto-calibration.ts), and stored in its catalog record.
 */
export interface FusionCalibration {
  /** Prior weights of `calibrated` fusion; they sum to 1. */
  weights: { vector: number; lexical: number };
  /**
   * How the weights were obtained: `probes` = self-supervised probe queries made from the KB's own chunks;
   * `golden` = chosen on the KB's golden queries (their expected documents), which override the probes.
   */
  source: CalibrationSource;
  /**
   * What started this calibration: `seal` (seal_generation / promote_generation), `uncalibrated` (a ready or
   * active generation without one, e.g. never sealed, reached CALIBRATION_MIN_ROWS), `growth` (it doubled
   * since its last calibration), `golden` (its golden queries changed), `method` (its probe weights were
   * measured with verbatim probes only, before held-out probes existed). Absent in older calibrations.
   */
  reason?: CalibrationReason;
  /**
   * Revision of the KB's golden set this calibration took into account (0: none, or fewer than
   * MIN_GOLDEN_QUERIES queries); another revision makes it due again. Absent (= 0) in older calibrations.
   */
  goldenRevision?: number;
  /** Golden-query measurement when `source` is `golden`: nDCG@k and Recall@k per side and fused. */
  golden?: {
    queries: number;
    k: number;
    ndcg: { vector: number; lexical: number; fused: number };
    recall: { vector: number; lexical: number; fused: number };
  };
  /** Probe queries run, and each ranking's mean reciprocal rank of the probe's answer (depth 50). */
  probes: number;
  /**
   * Which probes ran: `held-out` (a sentence cut out of a chunk, searched for the rest of that chunk) or
   * `verbatim` (a fragment searched for the chunk that contains it; chunks too short to split). Absent in
   * calibrations made before held-out probes, which are measured again (reason `method`).
   */
  probeKind?: ProbeKind;
  /**
   * With held-out probes: the verbatim probes that guarded them, and the range of vector weights those did not
   * measurably rank worse (the weight was picked inside it).
   */
  guard?: { probes: number; allowed: { min: number; max: number } };
  probeMrr: { vector: number; lexical: number; fused: number };
  /** Median normalised top-1 margin per side over the probes: what a "confident" side looks like here. */
  typicalMargin: { vector: number; lexical: number };
  seed: number;
  /** Rows in the generation when it was calibrated. */
  chunkCount: number;
  embeddingModel: string;
  tookMs: number;
  calibratedAt: string;
}

export const CALIBRATION_REASONS = ['seal', 'uncalibrated', 'growth', 'golden', 'method'] as const;
export type CalibrationReason = (typeof CALIBRATION_REASONS)[number];
/** Where a generation's fusion weights came from: probe queries cut from its chunks, or its golden queries. */
export const CALIBRATION_SOURCES = ['probes', 'golden'] as const;
export type CalibrationSource = (typeof CALIBRATION_SOURCES)[number];
/** How calibration probes were made from a generation's chunks (engine/search/draw-probes.ts). */
export const PROBE_KINDS = ['held-out', 'verbatim'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** ANN index settings of a generation. Below `bruteForceThreshold` rows the search is exact. */
export interface IndexConfig {
  /**
   * `auto` picks IVF_RQ (RaBitQ) above the threshold: on clustered 384-d data it built 100k vectors in 1 s
   * with recall@10 1.0, where IVF-PQ took 120 s. `none` never builds a vector index. @example 'ivf_hnsw_sq'
   */
  type: 'auto' | 'none' | 'ivf_rq' | 'ivf_pq' | 'ivf_hnsw_sq';
  /** Rows under which no vector index is built (exact search). @example 50000 */
  bruteForceThreshold: number;
  /** IVF partitions; default rows / 4096. */
  numPartitions?: number;
  /** PQ sub-vectors; default dimension / 4. */
  numSubVectors?: number;
  /** HNSW graph degree. @example 20 */
  m?: number;
  /** HNSW build beam. @example 300 */
  efConstruction?: number;
  /** Search-time IVF partitions probed. @example 20 */
  nprobes?: number;
  /** Search-time HNSW beam. */
  ef?: number;
  /** Re-rank refineFactor × limit candidates with exact distances (default 40). @example 40 */
  refineFactor?: number;
}

/** The vector space a generation was built in: which model made its vectors, or `external`. */
export interface EmbeddingSpace {
  /** Model id (`Xenova/bge-small-en-v1.5`, `hash`) or `external` for caller-supplied vectors. */
  model: string;
  dimension: number;
  /** Revision or file hash of the model files, where known. */
  revision?: string | undefined;
  pooling?: string;
}

export interface GenerationInfo {
  kb: string;
  generation: number;
  status: GenerationStatus;
  createdAt: string;
  promotedAt: string | null;
  archivedAt: string | null;
  chunkCount: number;
  bytes: number;
  /** null until the first write decides the space. */
  embedding: EmbeddingSpace | null;
  metric: Metric;
  indexConfig: IndexConfig;
  /** KB epoch at which this generation was last promoted. */
  promotedEpoch: number | null;
  /** KB epoch at which this generation was archived (GC retention counts from it). */
  archivedEpoch: number | null;
  /** Hybrid fusion weights (see FusionCalibration); null when not calibrated (too small, no usable embedder). */
  fusionCalibration: FusionCalibration | null;
}

export interface KnowledgeBaseInfo {
  name: string;
  activeGeneration: number | null;
  /** Number of promotions so far. */
  epoch: number;
  chunkCount: number;
  bytes: number;
  embedding: EmbeddingSpace | null;
  metric: Metric | null;
  createdAt: string;
  generations: number;
}

/** Details of one KB: its generations and the active generation's indexes. */
export interface KnowledgeBaseDetail extends KnowledgeBaseInfo {
  indexConfig: IndexConfig | null;
  indexes: Array<{
    name: string;
    type: string;
    columns: string[];
    indexedRows: number;
    unindexedRows: number;
  }>;
  generationList: GenerationInfo[];
}

/** JSON value allowed in chunk metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A chunk as callers write it. Citation fields are optional. */
export interface ChunkInput {
  chunkId: string;
  documentId: string;
  content: string;
  metadata?: Record<string, JsonValue>;
  /** Caller-supplied vector; otherwise the engine's embedder computes one from title + content. */
  embedding?: ArrayLike<number>;
  title?: string | null;
  sourcePath?: string | null;
  license?: string | null;
  version?: string | null;
  anchor?: string | null;
  pageNumber?: number | null;
  /**
   * Position within its document, for reading neighbours in order. Default: the chunk's position among its
   * document's chunks in this call.
   */
  ordinal?: number | null;
  /** Headings above the chunk, outermost first. @example ['Guide', 'Install'] */
  headingPath?: string[] | null;
  /** First and last source line (1-based) of the chunk. */
  lineStart?: number | null;
  lineEnd?: number | null;
  /**
   * Text to embed instead of `title + content`, e.g. a contextual header (title, heading path) followed by the
   * content; never stored. @example 'Guide > Install\n\nRun npm ci.'
   */
  embeddingText?: string;
}

export interface Citation {
  title: string | null;
  sourcePath: string | null;
  license: string | null;
  version: string | null;
  anchor: string | null;
  pageNumber: number | null;
  headingPath: string[] | null;
  lineStart: number | null;
  lineEnd: number | null;
}

export interface Progress {
  done: number;
  total: number;
  message?: string;
}

export interface UpsertOptions {
  /** Target generation; default the active one (created on first write). */
  generation?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /**
   * Whole-document replace: chunks of the call's documents that are not in the call are removed in the same
   * commit that writes the new ones, so no search sees both versions or neither. A document is never split
   * across commits.
   */
  replaceDocuments?: boolean;
}

export interface UpsertResult {
  kb: string;
  generation: number;
  upserted: number;
  inserted: number;
  updated: number;
  /** Old chunks of replaced documents that were removed (0 without replaceDocuments). */
  deleted: number;
  tookMs: number;
}

/** One document of a generation, aggregated from its chunks. */
export interface DocumentInfo {
  documentId: string;
  title: string | null;
  sourcePath: string | null;
  /** The citation version of its chunks (ingestion stores the content hash there). */
  version: string | null;
  chunks: number;
  /** Latest updated_at of its chunks. */
  updatedAt: string;
  /** The `metadataKeys` asked for, from one of its chunks (absent keys left out); only when asked. */
  metadata?: Record<string, JsonValue>;
}

export interface ListDocumentsOptions {
  /** Default the active generation. */
  generation?: number;
  offset?: number;
  /** Default all. */
  limit?: number;
  /**
   * Only documents whose id or source path contains this text (case-insensitive); `total` counts the matches.
   * @example 'guides/'
   */
  pathContains?: string;
  /**
   * Document-level metadata keys to return with each document (read from its first chunk; the metadata
   * column is parsed once per document, not per chunk). Ingestion asks for the file size and mtime it stored.
   * @example ['file_size', 'file_mtime_ms']
   */
  metadataKeys?: string[];
}

export interface ListDocumentsResult {
  kb: string;
  generation: number;
  /** Documents in the generation, whatever the page. */
  total: number;
  /** Sorted by documentId. */
  documents: DocumentInfo[];
}

export interface DeleteKnowledgeBaseResult {
  kb: string;
  /** Generations removed (tables dropped). */
  generations: number[];
  chunks: number;
}

export interface DeleteRequest {
  chunkIds?: string[];
  documentIds?: string[];
  generation?: number;
}

export interface DeleteResult {
  kb: string;
  generation: number;
  deleted: number;
}

export interface CreateGenerationOptions {
  /** Copy every chunk (with its vector) of the active generation into the new one. */
  copyFromActive?: boolean;
  metric?: Metric;
  indexConfig?: Partial<IndexConfig>;
}

export interface CreateGenerationResult {
  kb: string;
  generation: number;
  status: GenerationStatus;
  copied: number;
}

export interface PromoteResult {
  kb: string;
  activeGeneration: number;
  previousGeneration: number | null;
  epoch: number;
  /** True when this call had to seal (index) the generation first. */
  sealed: boolean;
  /** True when the generation was already active: nothing changed. */
  unchanged: boolean;
  /** The promotion gate's report when golden queries were run (it passed, or the call would have failed). */
  gate?: GateReport | null;
  tookMs: number;
}

/** Scalar a filter compares against. */
export type FilterScalar = string | number | boolean | null;

export interface FilterOperators {
  $eq?: FilterScalar;
  $ne?: FilterScalar;
  $in?: FilterScalar[];
  $nin?: FilterScalar[];
  $gt?: string | number;
  $gte?: string | number;
  $lt?: string | number;
  $lte?: string | number;
  /** String starts with (string fields and metadata strings). */
  $prefix?: string;
  /** String contains, case-sensitive (string fields and metadata strings). */
  $contains?: string;
}

/**
 * A structured filter, never SQL. Keys are chunk fields or `metadata.<key>`.
 * @example { 'metadata.lang': 'en', document_id: { $in: ['a', 'b'] }, page_number: { $gte: 3 } }
 */
export interface Filter {
  $and?: Filter[];
  $or?: Filter[];
  [field: string]: FilterScalar | FilterOperators | Filter[] | undefined;
}

export interface FusionOptions {
  method: FusionMethod;
  /** RRF constant. @example 60 */
  k?: number;
  /** Weights for `weighted`. @example { vector: 0.5, lexical: 0.5 } */
  weights?: { vector: number; lexical: number };
}

/** The weights a hybrid search fused with, and where they came from. */
export interface FusionWeightsUsed {
  vector: number;
  lexical: number;
  /**
   * `calibrated`: the generation's calibrated weights shifted by this query's confidence; `uncalibrated`: the
   * generation has no calibration, so confidence alone decided; `request`: given by the caller (weighted);
   * `confidence`: adaptive fusion; `rank`: rrf (equal weights on ranks).
   */
  source: (typeof WEIGHT_SOURCES)[number];
  /** The generation's calibrated prior, when it has one. */
  prior?: { vector: number; lexical: number };
}

export interface SearchRequest {
  kb: string;
  mode?: SearchMode;
  text?: string;
  vector?: ArrayLike<number> | undefined;
  /** 1..100, default 10. */
  limit?: number;
  offset?: number;
  filter?: Filter | undefined;
  /** Search this generation instead of the active one (e.g. a building one). */
  generation?: number;
  fusion?: FusionMethod | FusionOptions;
  /**
   * Most tokens the results may cost together (model tokenizer when the embedder is ready, else
   * estimateTokens). Content is first trimmed to its best-matching passage, then the lowest results dropped.
   */
  maxTokens?: number;
  /** What text each hit carries: the whole chunk and a snippet (default), the snippet only, or neither. */
  content?: ContentMode;
  /** `document`: at most `perDocument` chunks of any one document (the best ones). */
  groupBy?: (typeof GROUP_BY_KEYS)[number] | null;
  /** With groupBy `document`. @example 1 */
  perDocument?: number;
  /**
   * Reorder the top fused candidates with the engine's reranker (needs `text` and a configured reranker).
   * Every result then carries `scores.rerank`, and `score` is the rerank score.
   */
  rerank?: boolean;
  /** Fused candidates the reranker scores (default max(limit + offset, 30), at most 100). @example 50 */
  rerankCandidates?: number;
  signal?: AbortSignal;
}

/** One chunk as read_chunks / read_document return it, in document order. */
export interface ChunkView {
  chunkId: string;
  /** Null for chunks written before ordinals were recorded (ordered by line, then id). */
  ordinal: number | null;
  content: string;
  /** True when the content was cut (at its end) to fit maxTokens. */
  truncated?: boolean;
  citation: Citation;
}

export interface ReadChunksRequest {
  chunkId: string;
  /** Chunks before it to include, 0..MAX_NEIGHBOURS. @example 1 */
  before?: number;
  after?: number;
  /** Content tokens at most; neighbours nearest the chunk are kept first. */
  maxTokens?: number;
  generation?: number;
}

export interface ReadChunksResult {
  kb: string;
  generation: number;
  documentId: string;
  chunks: ChunkView[];
  /** Index of the asked-for chunk in `chunks`. */
  index: number;
  /** Chunks of the document in all. */
  documentChunks: number;
}

export interface ReadDocumentRequest {
  documentId: string;
  /** Chunks to skip (a previous page's nextOffset). */
  offset?: number;
  /** Content tokens per page. @example 4000 */
  maxTokens?: number;
  generation?: number;
}

export interface ReadDocumentResult {
  kb: string;
  generation: number;
  documentId: string;
  chunks: ChunkView[];
  offset: number;
  documentChunks: number;
  /** Where the next page starts; null on the last page. */
  nextOffset: number | null;
  countedWith: TokenCounter;
}

/** Where another chunk with the same content lives (folded into the hit that shows it). */
export interface DuplicateLocation {
  chunkId: string;
  documentId: string;
  sourcePath: string | null;
  anchor: string | null;
  pageNumber: number | null;
}

/** How a token budget was spent. */
export interface BudgetReport {
  maxTokens: number;
  usedTokens: number;
  /** `model`: the embedding model's tokenizer; `estimate`: estimateTokens (chars / 4 or words × 4 / 3). */
  countedWith: TokenCounter;
  /** Results whose content was cut to its best-matching passage. */
  trimmed: number;
  /** Results left out because even trimmed they did not fit. */
  dropped: number;
}

export interface SearchHit {
  chunkId: string;
  documentId: string;
  kb: string;
  generation: number;
  score: number;
  scores: { vector?: number; lexical?: number; rerank?: number };
  ranks: { vector?: number; lexical?: number; rerank?: number };
  /** Null with content `snippet` or `none`; a passage of the chunk when `trimmed`. */
  content: string | null;
  /** Null with content `none`. */
  snippet: string | null;
  /** True when the content was cut to fit maxTokens. */
  trimmed?: boolean;
  metadata: Record<string, JsonValue>;
  citation: Citation;
  /** Other chunks with exactly this content, not listed as results of their own. */
  duplicates?: DuplicateLocation[];
  /** Position within its document; null for chunks written before ordinals were recorded. */
  ordinal: number | null;
  /** sha256 of the content (hex); null for chunks written before hashes were recorded. */
  contentHash: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SearchResponse {
  kb: string;
  generation: number;
  /** The mode that actually ran (hybrid may fall back to lexical; see warnings). */
  mode: SearchMode;
  fusion: FusionMethod | null;
  /** Hybrid only: the per-side weights this answer was fused with. */
  fusionWeights: FusionWeightsUsed | null;
  results: SearchHit[];
  /** Engine text (terms.ts): the tool layer spells its terms for its callers. */
  warnings: EngineText[];
  tookMs: number;
  cached: boolean;
  /** Present when maxTokens was given. */
  budget?: BudgetReport;
}

export interface GcOptions {
  kb?: string;
  dryRun?: boolean;
  /** Archived generations within this many promotions of the present are kept. Default 2. */
  retentionEpochs?: number;
  /** Nothing younger than this (archived/created, table versions) is removed. Default 3600. */
  minAgeSeconds?: number;
  /** Building generations untouched for longer than this are abandoned. Default 86400. */
  buildingTtlSeconds?: number;
}

export interface GcReport {
  dryRun: boolean;
  deleted: Array<{ kb: string; generation: number; bytes: number; reason: string }>;
  kept: Array<{ kb: string; generation: number; reason: string }>;
  compacted: Array<{ kb: string; generation: number; bytesRemoved: number; versionsRemoved: number }>;
  reclaimedBytes: number;
  reclaimedBytesByKb: Record<string, number>;
  tookMs: number;
}

export type EmbedderState = 'loading' | 'ready' | 'failed';

export interface EmbedderStatus {
  state: EmbedderState;
  /** Why loading failed, in words an agent can act on: engine text, whose terms the caller spells (terms.ts). */
  reason?: EngineText;
  /** Download/load progress, 0..1 where known. */
  progress?: number;
  /** What is being loaded right now, e.g. a file name. */
  detail?: string;
}

/**
 * Turns text into vectors. The engine receives one from outside; see src/engine/embedding for
 * implementations (hash, transformers).
 */
export interface Embedder {
  /** Model id recorded in every generation it fills, e.g. `Xenova/bge-small-en-v1.5` or `hash`. */
  readonly id: string;
  readonly dimension: number;
  /** Revision/file hash where known; recorded per generation. */
  readonly revision?: string | undefined;
  readonly pooling?: string | undefined;
  /**
   * False for embedders whose vectors carry no meaning (the `hash` test embedder): vector and hybrid searches
   * that use them say so in their warnings. Absent means semantic.
   */
  readonly semantic?: boolean | undefined;
  embedDocuments(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array>;
  /**
   * Tokens of each text by the model's own tokenizer, without special tokens; absent for embedders without
   * one (`hash`). Ingestion sizes chunks with it. Call it with many texts at once (one document's words).
   */
  countTokens?(texts: string[]): Promise<number[]>;
  status(): EmbedderStatus;
  /** Starts loading in the background; never throws (failure shows in status()). */
  prewarm?(): void;
  close?(): Promise<void>;
}

/**
 * Scores (query, passage) pairs jointly, e.g. a cross-encoder; higher is more relevant. Searches asked to
 * rerank reorder their top fused candidates by it. See src/engine/embedding/cross-encoder-reranker.ts.
 */
export interface Reranker {
  /** Model id, e.g. `Xenova/ms-marco-MiniLM-L-6-v2`. */
  readonly id: string;
  /** sha256 prefix of the ONNX file loaded, once loaded. */
  readonly revision?: string | undefined;
  /** One score per text, in the order given. */
  score(query: string, texts: string[], signal?: AbortSignal): Promise<number[]>;
  status(): EmbedderStatus;
  prewarm?(): void;
  close?(): Promise<void>;
}

/** Documented, configurable limits. Every one is enforced with an INVALID_INPUT/LIMIT_EXCEEDED error. */
export interface EngineLimits {
  maxChunksPerCall: number;
  maxContentBytes: number;
  maxMetadataBytes: number;
  maxMetadataDepth: number;
  maxIdLength: number;
  maxQueryLength: number;
  maxLimit: number;
  maxOffset: number;
  maxFilterNodes: number;
  maxFilterDepth: number;
  maxDeleteIds: number;
  /** UTF-8 bytes of each citation field (title, sourcePath, license, version, anchor). */
  maxCitationBytes: number;
  /** Estimated bytes the search-result cache may hold. */
  maxSearchCacheBytes: number;
}

export type EngineLogLevel = 'debug' | 'info' | 'warning' | 'error';
export type EngineLog = (level: EngineLogLevel, message: string, data?: Record<string, unknown>) => void;

/** Events the engine emits so adapters (MCP resources) can notify clients. */
export type EngineEvent =
  | { type: 'kb_created'; kb: string }
  | { type: 'generation_changed'; kb: string; generation: number; status: GenerationStatus | 'deleted' };

export interface EngineOptions {
  /** Storage root: a directory path or a LanceDB URI (`s3://…`, `gs://…`, `az://…`). */
  dataDir: string;
  embedder?: Embedder;
  /** Enables `rerank: true` searches; none by default. */
  reranker?: Reranker;
  limits?: Partial<EngineLimits>;
  defaultMetric?: Metric;
  defaultIndexConfig?: Partial<IndexConfig>;
  /** Rows per write commit. @example 10000 */
  writeBatchSize?: number;
  /**
   * Unindexed rows that trigger a background index refresh right after a write; 0 disables background
   * refresh altogether (idle refresh included). @example 5000
   */
  indexRefreshRows?: number;
  /**
   * Milliseconds without writes to a generation after which its unindexed rows are indexed, however few;
   * 0 disables this idle refresh. Default 2000. @example 2000
   */
  indexIdleMs?: number;
  /** Background GC period; 0 disables. */
  gcIntervalSeconds?: number;
  retentionEpochs?: number;
  minAgeSeconds?: number;
  buildingTtlSeconds?: number;
  /** Search-result LRU size; 0 disables. */
  searchCacheSize?: number;
  /** Concurrent heavy operations (index builds, GC, big upserts). */
  heavyConcurrency?: number;
  /** Open without writing anything (no catalog creation, write calls fail). */
  readOnly?: boolean;
  /**
   * How stale this process's view of the store may get: a write or promotion made by another process on the
   * same store is seen by searches here within this many milliseconds; 0 checks on every request.
   * @example 1000
   */
  stalenessMs?: number;
  /** Lifetime of a cross-process lease without a heartbeat: how long a crashed process can block writers. @example 10000 */
  leaseTtlMs?: number;
  /**
   * Probe queries of each kind (held-out, verbatim) a fusion calibration draws from a generation's chunks, at
   * least 8. Fewer calibrate faster with a wider noise band, so a mix of the sides is kept less often.
   * @example 150
   */
  calibrationProbes?: number;
  /**
   * Object-store options passed to LanceDB (keys as LanceDB/object_store read them).
   * @example { "aws_endpoint": "http://127.0.0.1:9000", "aws_region": "us-east-1", "allow_http": "true" }
   */
  storageOptions?: Record<string, string>;
  log?: EngineLog;
}

export interface GcLoopState {
  intervalSeconds: number;
  running: boolean;
  lastRunAt: string | null;
  lastError: string | null;
  lastReclaimedBytes: number | null;
}

/** What `openEngine` returns. Every method validates its input and throws EngineError. */
export interface KnowledgeBaseEngine {
  readonly dataDir: string;
  readonly limits: EngineLimits;
  readonly readOnly: boolean;
  readonly embedder: Embedder | undefined;
  /** The reranker `rerank: true` searches use; undefined when none is configured. */
  readonly reranker: Reranker | undefined;
  listKnowledgeBases(): Promise<KnowledgeBaseInfo[]>;
  describeKnowledgeBase(kb: string): Promise<KnowledgeBaseDetail>;
  listGenerations(kb: string): Promise<GenerationInfo[]>;
  upsertChunks(kb: string, chunks: ChunkInput[], options?: UpsertOptions): Promise<UpsertResult>;
  deleteChunks(kb: string, request: DeleteRequest): Promise<DeleteResult>;
  /** Documents of a generation (document id, title, version, chunk count), sorted by id. */
  listDocuments(kb: string, options?: ListDocumentsOptions): Promise<ListDocumentsResult>;
  /** Removes a knowledge base with all its generations. Irreversible. */
  deleteKnowledgeBase(kb: string): Promise<DeleteKnowledgeBaseResult>;
  createGeneration(kb: string, options?: CreateGenerationOptions): Promise<CreateGenerationResult>;
  /** Builds/refreshes a generation's indexes: building → ready. */
  sealGeneration(kb: string, generation: number): Promise<GenerationInfo>;
  /**
   * Seals if needed, then atomically makes `generation` active. Promoting an archived one is a rollback. When
   * the KB has golden queries (or `gate: true`), they run first and a recall drop beyond the tolerance
   * refuses the promotion with GATE_FAILED.
   */
  promoteGeneration(kb: string, generation: number, options?: PromoteOptions): Promise<PromoteResult>;
  /** Stores the KB's golden queries (one conditional commit); an empty list removes them. */
  setGoldenQueries(kb: string, request: SetGoldenQueriesRequest): Promise<GoldenSet>;
  getGoldenQueries(kb: string): Promise<GoldenSet | null>;
  search(request: SearchRequest): Promise<SearchResponse>;
  /** A chunk with its neighbours in document order. */
  readChunks(kb: string, request: ReadChunksRequest): Promise<ReadChunksResult>;
  /** A document's chunks in order, a page at a time. */
  readDocument(kb: string, request: ReadDocumentRequest): Promise<ReadDocumentResult>;
  /** The same queries against two generations (overlap@k, rank changes, recall/nDCG) and their content diff. */
  compareGenerations(request: CompareGenerationsRequest): Promise<GenerationsComparison>;
  gc(options?: GcOptions): Promise<GcReport>;
  gcLoopState(): GcLoopState;
  /**
   * Resolves once the background fusion calibrations queued so far have finished (stored, skipped or failed):
   * for tests, and for a short-lived process that wants its weights stored before it closes.
   */
  calibrationsSettled(): Promise<void>;
  /** Subscribe to KB/generation changes; returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Waits for in-flight writes, stops the GC loop, releases handles. */
  close(): Promise<void>;
}
