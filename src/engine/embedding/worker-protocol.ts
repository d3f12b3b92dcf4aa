// Messages between a model's main-thread owner (TransformersEmbedder, CrossEncoderReranker) and its inference worker thread.
import type { ModelDtype } from './model-files.js';
import type { Pooling } from './known-models.js';

/** Everything the worker needs to load the model; passed as `workerData`, so loading starts at spawn. */
export interface WorkerInit {
  /** Absolute directory or hub id, as transformers.js expects it. */
  pathOrId: string;
  /** Absolute directory where the files are or will be downloaded to; the ONNX file is hashed there. */
  directory: string;
  modelsDir: string;
  offline: boolean;
  hfEndpoint?: string;
  dtype: ModelDtype;
  /** Relative to `directory`, e.g. `onnx/model_quantized.onnx`. */
  onnxFile: string;
  pooling: Pooling;
  /** ONNX Runtime intra-op threads; kept below the core count so the main thread keeps a core. */
  intraOpThreads: number;
  /**
   * `embed` (default): a feature-extraction model, one vector per text. `rerank`: a cross-encoder
   * (sequence-classification head), one relevance logit per (query, text) pair.
   */
  task?: 'embed' | 'rerank';
}

/** `query` is set for the rerank task: each text is scored paired with it. */
export type WorkerRequest = { type: 'embed'; id: number; texts: string[]; query?: string };

export type WorkerResponse =
  | { type: 'progress'; progress?: number; file?: string; phase: 'download' | 'load' }
  | { type: 'ready'; dimension: number; revision?: string | undefined }
  | { type: 'load-failed'; message: string; notFound: boolean }
  | { type: 'embedded'; id: number; dimension: number; count: number; data: Float32Array }
  | { type: 'embed-failed'; id: number; message: string };
