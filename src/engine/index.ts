// The engine's public surface: openEngine, its types and errors. Nothing here knows about MCP.
export { openEngine } from './engine.js';
export { EngineError, isEngineError, ERROR_CODES, type ErrorCode } from './errors.js';
export { DEFAULT_LIMITS } from './validation.js';
export { DEFAULT_INDEX_CONFIG } from './context.js';
export * from './types.js';
export type {
  CompareGenerationsRequest,
  GenerationsComparison,
  QueryComparison,
  RankChange,
} from './evaluation/compare-generations.js';
export type { ContentDiff } from './evaluation/document-digests.js';
export type { EvalQuery } from './evaluation/rank-queries.js';
export type { GateReport, PromoteOptions } from './evaluation/promotion-gate.js';
export type { SetGoldenQueriesRequest } from './evaluation/golden-queries.js';
export type { GoldenSet } from './storage/golden-queries.js';
