// Known embedding models: pooling, instruction prefixes, dimension and preferred dtype, overridable by settings.
import type { EmbeddingSettings } from './settings.js';

export type Pooling = 'cls' | 'mean';

export interface ModelProfile {
  /** How token vectors become one text vector: the model's training objective decides, not taste. */
  pooling: Pooling;
  /** Prepended to queries only (asymmetric retrieval models are trained this way). */
  queryPrefix: string;
  /** Prepended to documents only (e5, nomic). */
  documentPrefix: string;
  /** Output dimension, known before the model is loaded. */
  dimension?: number;
  /** dtype to fetch when nothing is on disk yet. */
  dtype?: 'q8' | 'fp32';
}

const BGE_QUERY = 'Represent this sentence for searching relevant passages: ';

const bge = (dimension: number): ModelProfile => ({
  pooling: 'cls',
  queryPrefix: BGE_QUERY,
  documentPrefix: '',
  dimension,
  dtype: 'q8',
});
const meanPooled = (dimension: number, queryPrefix = '', documentPrefix = ''): ModelProfile => ({
  pooling: 'mean',
  queryPrefix,
  documentPrefix,
  dimension,
  dtype: 'q8',
});

/**
 * Keyed by the last path segment of the id, lower-cased, so `Xenova/bge-small-en-v1.5`,
 * `BAAI/bge-small-en-v1.5` and a local `/models/bge-small-en-v1.5` directory all match.
 */
export const KNOWN_MODELS: Readonly<Record<string, ModelProfile>> = Object.freeze({
  'bge-small-en-v1.5': bge(384),
  'bge-base-en-v1.5': bge(768),
  'bge-large-en-v1.5': bge(1024),
  'bge-small-en': bge(384),
  'bge-base-en': bge(768),
  'mxbai-embed-large-v1': bge(1024),
  'snowflake-arctic-embed-xs': bge(384),
  'snowflake-arctic-embed-s': bge(384),
  'snowflake-arctic-embed-m': bge(768),
  'all-minilm-l6-v2': meanPooled(384),
  'all-minilm-l12-v2': meanPooled(384),
  'paraphrase-multilingual-minilm-l12-v2': meanPooled(384),
  'all-mpnet-base-v2': meanPooled(768),
  'gte-small': meanPooled(384),
  'gte-base': meanPooled(768),
  'multilingual-e5-small': meanPooled(384, 'query: ', 'passage: '),
  'multilingual-e5-base': meanPooled(768, 'query: ', 'passage: '),
  'e5-small-v2': meanPooled(384, 'query: ', 'passage: '),
  'e5-base-v2': meanPooled(768, 'query: ', 'passage: '),
  'nomic-embed-text-v1.5': meanPooled(768, 'search_query: ', 'search_document: '),
});

/** The table entry for a model id or local directory, if any. */
export function lookupKnownModel(model: string): ModelProfile | undefined {
  const lastSegment =
    model
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return KNOWN_MODELS[lastSegment.toLowerCase()];
}

/** Settings win over the table; unknown models default to mean pooling and no prefixes. */
export function resolveModelProfile(settings: EmbeddingSettings): ModelProfile & { known: boolean } {
  const known = lookupKnownModel(settings.model);
  return {
    known: known !== undefined,
    pooling: settings.pooling ?? known?.pooling ?? 'mean',
    queryPrefix: settings.queryPrefix ?? known?.queryPrefix ?? '',
    documentPrefix: known?.documentPrefix ?? '',
    ...(known?.dimension === undefined ? {} : { dimension: known.dimension }),
    ...(known?.dtype === undefined ? {} : { dtype: known.dtype }),
  };
}
