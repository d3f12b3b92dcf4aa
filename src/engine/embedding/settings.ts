// Embedding settings: what the server's configuration (env vars, CLI flags) hands to createEmbedder.

/** Default model: 384-d, q8; nDCG@10 0.713 on BEIR SciFact (MTEB). */
export const DEFAULT_EMBEDDING_MODEL = 'Xenova/bge-small-en-v1.5';

/** ONNX weight variants a model may be loaded in; the configuration lists them in this order. */
export const MODEL_DTYPES = ['q8', 'fp32', 'fp16', 'int8', 'uint8', 'q4'] as const;
/** How token vectors become one text vector. */
export const POOLINGS = ['cls', 'mean'] as const;

export interface EmbeddingSettings {
  /** Hugging Face model id, absolute path to a local model directory, or `hash`. RAG_STUDIO_EMBEDDING_MODEL */
  model: string;
  /** Local models and download cache. RAG_STUDIO_MODELS_DIR; default under the user's data dir. */
  modelsDir: string;
  /** Never download. RAG_STUDIO_OFFLINE=1 or HF_HUB_OFFLINE=1. */
  offline: boolean;
  /** Mirror host for downloads. RAG_STUDIO_HF_ENDPOINT */
  hfEndpoint?: string;
  /** Overrides the known-model table. RAG_STUDIO_EMBEDDING_POOLING */
  pooling?: (typeof POOLINGS)[number];
  /** Overrides the automatic choice (q8 when a quantized file exists, else fp32). RAG_STUDIO_EMBEDDING_DTYPE */
  dtype?: (typeof MODEL_DTYPES)[number];
  /** Texts per inference batch. RAG_STUDIO_EMBEDDING_BATCH; default 32. */
  batchSize: number;
  /** Query-embedding LRU entries; 0 disables. Default 1000. */
  queryCacheSize?: number;
  /** Query instruction prefix override (BGE's comes from the known-model table). */
  queryPrefix?: string;
  /** Document prefix override (e5's "passage: " comes from the known-model table). RAG_STUDIO_EMBEDDING_DOCUMENT_PREFIX */
  documentPrefix?: string;
  /** ONNX Runtime intra-op threads; default one less than the cores (max 4), so the event loop keeps a core. RAG_STUDIO_EMBEDDING_THREADS */
  threads?: number;
}
