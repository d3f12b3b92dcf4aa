// Inference worker thread: loads a transformers.js model (feature extraction, or a cross-encoder) and runs batches off the main thread.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { normalizeL2InPlace } from './l2-normalize.js';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './worker-protocol.js';

interface OutputTensor {
  type: string;
  dims: number[];
  data: ArrayLike<number>;
  to?(type: string): OutputTensor;
}
type Extractor = (texts: string[], options: { pooling: string; normalize: boolean }) => Promise<OutputTensor>;
type Tokenizer = (
  texts: string[],
  options: { text_pair: string[]; padding: boolean; truncation: boolean },
) => Record<string, unknown>;
type Classifier = (inputs: Record<string, unknown>) => Promise<{ logits: OutputTensor }>;
/** One batch in, one row of `dimension` floats per text out. */
type Runner = (
  texts: string[],
  query: string | undefined,
) => Promise<{ data: Float32Array; dimension: number }>;

/** Progress messages are throttled: a download emits one event per network chunk. */
const PROGRESS_INTERVAL_MS = 100;

// stdout belongs to the MCP protocol; anything a library prints here goes to stderr instead. (A piped
// `stdout: true` stream would do the same but keeps the process alive after the worker is unref'd.)
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
/* eslint-disable no-console -- rerouting library output, not printing */
console.log = console.error;
console.info = console.error;
/* eslint-enable no-console */

const port = parentPort;
if (port === null) throw new Error('embedding-worker must run in a worker thread');
const init = workerData as WorkerInit;

function send(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

type Transformers = typeof import('@huggingface/transformers');

async function loadTransformers(): Promise<Transformers> {
  // Imported here, not at the top: the module graph is large and only this thread needs it.
  const transformers = await import('@huggingface/transformers');
  const { env, LogLevel } = transformers;
  env.logLevel = LogLevel.ERROR;
  env.allowLocalModels = true;
  env.allowRemoteModels = !init.offline;
  env.localModelPath = init.modelsDir;
  env.cacheDir = init.modelsDir;
  env.useFSCache = true;
  if (init.hfEndpoint !== undefined && init.hfEndpoint !== '') {
    env.remoteHost = init.hfEndpoint.endsWith('/') ? init.hfEndpoint : `${init.hfEndpoint}/`;
  }
  return transformers;
}

let lastProgressAt = 0;
/** Options every model load shares: the dtype the main thread planned, offline, threads, progress. */
const loadOptions = {
  dtype: init.dtype,
  device: 'cpu',
  local_files_only: init.offline,
  session_options: { intraOpNumThreads: init.intraOpThreads, interOpNumThreads: 1 },
  progress_callback: (info: { status: string; file?: string; progress?: number }) => {
    const now = Date.now();
    if (info.status === 'initiate' || info.status === 'done') {
      send({ type: 'progress', ...(info.file === undefined ? {} : { file: info.file }), phase: 'load' });
    } else if (info.status === 'progress_total' && now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
      lastProgressAt = now;
      send({ type: 'progress', progress: (info.progress ?? 0) / 100, phase: 'download' });
    }
  },
} as const;

async function loadEmbedRunner(): Promise<Runner> {
  const { pipeline } = await loadTransformers();
  const extractor = (await pipeline(
    'feature-extraction',
    init.pathOrId,
    loadOptions,
  )) as unknown as Extractor;
  return (texts) => embed(extractor, texts);
}

/**
 * A cross-encoder scores a (query, passage) pair jointly, so it is run as tokenizer + sequence-classification
 * model rather than the text-classification pipeline, which takes single texts and applies softmax/sigmoid.
 * The raw logit is the score: its order is what reranking needs.
 */
async function loadRerankRunner(): Promise<Runner> {
  const { AutoTokenizer, AutoModelForSequenceClassification } = await loadTransformers();
  const common = { local_files_only: init.offline, progress_callback: loadOptions.progress_callback };
  const tokenizer = (await AutoTokenizer.from_pretrained(init.pathOrId, common)) as unknown as Tokenizer;
  const model = (await AutoModelForSequenceClassification.from_pretrained(
    init.pathOrId,
    loadOptions,
  )) as unknown as Classifier;
  return async (texts, query) => {
    const inputs = tokenizer(
      texts.map(() => query ?? ''),
      { text_pair: texts, padding: true, truncation: true },
    );
    const { logits } = await model(inputs);
    const labels = logits.dims[logits.dims.length - 1] ?? 0;
    const all = toFloat32(logits);
    if (logits.dims.length !== 2 || labels < 1 || all.length !== texts.length * labels) {
      throw new Error(`unexpected logits shape [${logits.dims.join(', ')}] for ${texts.length} pairs`);
    }
    // One logit (ms-marco, bge-reranker) is the score; with several labels the last is "relevant".
    const data = Float32Array.from({ length: texts.length }, (_, row) => all[row * labels + labels - 1]!);
    return { data, dimension: 1 };
  };
}

/** Short content hash of the ONNX file actually loaded: the model's revision as far as vectors go. */
async function hashFile(path: string): Promise<string | undefined> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return `sha256:${hash.digest('hex').slice(0, 16)}`;
  } catch {
    return undefined;
  }
}

function toFloat32(tensor: OutputTensor): Float32Array {
  const source = tensor.type === 'float32' || tensor.to === undefined ? tensor : tensor.to('float32');
  // A copy: the tensor may view memory owned by ONNX Runtime, and the copy's buffer is transferred.
  return Float32Array.from(source.data);
}

async function embed(
  extractor: Extractor,
  texts: string[],
): Promise<{ data: Float32Array; dimension: number }> {
  const tensor = await extractor(texts, { pooling: init.pooling, normalize: false });
  const dimension = tensor.dims[tensor.dims.length - 1] ?? 0;
  const data = toFloat32(tensor);
  if (tensor.dims.length !== 2 || data.length !== texts.length * dimension) {
    throw new Error(`unexpected output shape [${tensor.dims.join(', ')}] for ${texts.length} texts`);
  }
  for (let row = 0; row < texts.length; row++) normalizeL2InPlace(data, row * dimension, dimension);
  return { data, dimension };
}

async function main(): Promise<void> {
  let run: Runner;
  let dimension: number;
  try {
    run = init.task === 'rerank' ? await loadRerankRunner() : await loadEmbedRunner();
    dimension = (await run(['dimension probe'], init.task === 'rerank' ? 'probe' : undefined)).dimension;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const notFound =
      (error instanceof Error && error.name === 'ModelFileNotFoundError') ||
      /not found locally|Could not locate file|404|ENOENT/i.test(message);
    send({ type: 'load-failed', message, notFound });
    return;
  }
  send({ type: 'ready', dimension, revision: await hashFile(join(init.directory, init.onnxFile)) });

  // One batch at a time: ONNX Runtime already uses intra-op threads, and order keeps results matched.
  let chain = Promise.resolve();
  port?.on('message', (request: WorkerRequest) => {
    chain = chain.then(async () => {
      try {
        const { data, dimension: width } = await run(request.texts, request.query);
        send({ type: 'embedded', id: request.id, dimension: width, count: request.texts.length, data }, [
          data.buffer as ArrayBuffer,
        ]);
      } catch (error) {
        send({
          type: 'embed-failed',
          id: request.id,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
  });
}

void main();
