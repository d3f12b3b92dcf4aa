// Inference worker thread: loads the transformers.js feature-extraction pipeline and embeds batches off the main thread.
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

async function loadExtractor(): Promise<Extractor> {
  // Imported here, not at the top: the module graph is large and only this thread needs it.
  const { env, pipeline, LogLevel } = await import('@huggingface/transformers');
  env.logLevel = LogLevel.ERROR;
  env.allowLocalModels = true;
  env.allowRemoteModels = !init.offline;
  env.localModelPath = init.modelsDir;
  env.cacheDir = init.modelsDir;
  env.useFSCache = true;
  if (init.hfEndpoint !== undefined && init.hfEndpoint !== '') {
    env.remoteHost = init.hfEndpoint.endsWith('/') ? init.hfEndpoint : `${init.hfEndpoint}/`;
  }

  let lastProgressAt = 0;
  const extractor = await pipeline('feature-extraction', init.pathOrId, {
    dtype: init.dtype,
    device: 'cpu',
    local_files_only: init.offline,
    session_options: { intraOpNumThreads: init.intraOpThreads, interOpNumThreads: 1 },
    progress_callback: (info) => {
      const now = Date.now();
      if (info.status === 'initiate' || info.status === 'done') {
        send({ type: 'progress', file: info.file, phase: 'load' });
      } else if (info.status === 'progress_total' && now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
        lastProgressAt = now;
        send({ type: 'progress', progress: info.progress / 100, phase: 'download' });
      }
    },
  });
  return extractor as unknown as Extractor;
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
  let extractor: Extractor;
  let dimension: number;
  try {
    extractor = await loadExtractor();
    dimension = (await embed(extractor, ['dimension probe'])).dimension;
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
        const { data, dimension: width } = await embed(extractor, request.texts);
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
