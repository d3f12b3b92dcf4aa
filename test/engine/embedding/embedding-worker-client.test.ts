// EmbeddingWorkerClient's queue mechanics (priority, bound, cancellation, crashes) against a scripted stand-in worker.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EmbeddingWorkerClient,
  WorkerLoadError,
} from '../../../src/engine/embedding/embedding-worker-client.js';
import type {
  WorkerInit,
  WorkerRequest,
  WorkerResponse,
} from '../../../src/engine/embedding/worker-protocol.js';

/** Records what the client sends and lets the test answer when it chooses: timing is the subject here. */
class ScriptedWorker extends EventEmitter {
  readonly sent: WorkerRequest[] = [];
  refs = 0;
  postMessage(message: WorkerRequest): void {
    this.sent.push(message);
  }
  reply(message: WorkerResponse): void {
    this.emit('message', message);
  }
  answer(request: WorkerRequest | undefined, dimension = 2): void {
    if (!request) throw new Error('no request to answer');
    const data = new Float32Array(request.texts.length * dimension).fill(request.id);
    this.reply({ type: 'embedded', id: request.id, dimension, count: request.texts.length, data });
  }
  ref(): void {
    this.refs = 1;
  }
  unref(): void {
    this.refs = 0;
  }
  terminate(): Promise<number> {
    setImmediate(() => this.emit('exit', 1));
    return Promise.resolve(1);
  }
}

let worker: ScriptedWorker;
// Hoisted above the imports by vitest: the client under test gets the scripted worker.
vi.mock('../../../src/engine/embedding/worker-location.js', () => ({
  spawnEmbeddingWorker: () => worker,
}));

const INIT: WorkerInit = {
  pathOrId: '/models/x',
  directory: '/models/x',
  modelsDir: '/models',
  offline: true,
  dtype: 'fp32',
  onnxFile: 'onnx/model.onnx',
  pooling: 'mean',
  intraOpThreads: 1,
};

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('EmbeddingWorkerClient', () => {
  const events = { onProgress: vi.fn(), onCrash: vi.fn() };

  beforeEach(() => {
    worker = new ScriptedWorker();
  });

  afterEach(() => {
    vi.clearAllMocks();
  });

  async function readyClient(maxQueued = 10) {
    const client = new EmbeddingWorkerClient(INIT, events, maxQueued);
    worker.reply({ type: 'ready', dimension: 2, revision: 'sha256:abc' });
    await expect(client.ready).resolves.toEqual({ dimension: 2, revision: 'sha256:abc' });
    return client;
  }

  it('holds batches until the model is ready, then sends them one at a time', async () => {
    const client = new EmbeddingWorkerClient(INIT, events, 10);
    const first = client.embed(['a', 'b'], 'document');
    const second = client.embed(['c'], 'document');
    expect(worker.sent).toHaveLength(0);
    expect(worker.refs).toBe(1);
    worker.reply({ type: 'ready', dimension: 2 });
    expect(worker.sent.map((request) => request.texts)).toEqual([['a', 'b']]);
    worker.answer(worker.sent[0]);
    const vectors = await first;
    expect(vectors).toHaveLength(2);
    expect(Array.from(vectors[1] as Float32Array)).toEqual([1, 1]);
    expect(worker.sent.map((request) => request.texts)).toEqual([['a', 'b'], ['c']]);
    worker.answer(worker.sent[1]);
    await second;
    expect(worker.refs).toBe(0);
  });

  it('sends a waiting query before waiting document batches', async () => {
    const client = await readyClient();
    const documents = [
      client.embed(['d1'], 'document'),
      client.embed(['d2'], 'document'),
      client.embed(['d3'], 'document'),
    ];
    const query = client.embed(['q'], 'query');
    worker.answer(worker.sent[0]);
    expect(worker.sent[1]?.texts).toEqual(['q']);
    worker.answer(worker.sent[1]);
    await query;
    worker.answer(worker.sent[2]);
    worker.answer(worker.sent[3]);
    await Promise.all(documents);
    expect(worker.sent.map((request) => request.texts[0])).toEqual(['d1', 'q', 'd2', 'd3']);
  });

  it('fails fast with LIMIT_EXCEEDED when the queue is full', async () => {
    const client = await readyClient(2);
    const running = client.embed(['running'], 'document');
    const queued = [client.embed(['w1'], 'document'), client.embed(['w2'], 'query')];
    await expect(client.embed(['overflow'], 'document')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    for (let i = 0; i < 3; i++) worker.answer(worker.sent[i]);
    await Promise.all([running, ...queued]);
  });

  it('drops a cancelled queued batch without sending it', async () => {
    const client = await readyClient();
    const running = client.embed(['running'], 'document');
    const controller = new AbortController();
    const cancelled = client.embed(['cancel me'], 'document', controller.signal);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    worker.answer(worker.sent[0]);
    await running;
    expect(worker.sent.map((request) => request.texts[0])).toEqual(['running']);
    expect(client.pending).toBe(0);
  });

  it('rejects a cancelled running batch at once and ignores its late result', async () => {
    const client = await readyClient();
    const controller = new AbortController();
    const running = client.embed(['slow'], 'document', controller.signal);
    const next = client.embed(['next'], 'document');
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(worker.sent).toHaveLength(1);
    worker.answer(worker.sent[0]);
    expect(worker.sent[1]?.texts).toEqual(['next']);
    worker.answer(worker.sent[1]);
    expect(Array.from((await next)[0] as Float32Array)).toEqual([2, 2]);
  });

  it('turns a worker-side failure into EMBEDDER_UNAVAILABLE and carries on', async () => {
    const client = await readyClient();
    const failing = client.embed(['x'], 'document');
    const after = client.embed(['y'], 'document');
    worker.reply({ type: 'embed-failed', id: worker.sent[0]?.id ?? -1, message: 'out of memory' });
    await expect(failing).rejects.toMatchObject({
      code: 'EMBEDDER_UNAVAILABLE',
      message: expect.stringContaining('out of memory'),
    });
    worker.answer(worker.sent[1]);
    await expect(after).resolves.toHaveLength(1);
  });

  it('rejects everything pending and reports a crash when the worker dies after loading', async () => {
    const client = await readyClient();
    const running = client.embed(['a'], 'document');
    const queued = client.embed(['b'], 'query');
    worker.emit('exit', 137);
    await expect(running).rejects.toMatchObject({
      code: 'EMBEDDER_UNAVAILABLE',
      message: expect.stringContaining('137'),
    });
    await expect(queued).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
    expect(events.onCrash).toHaveBeenCalledTimes(1);
    await expect(client.embed(['c'], 'document')).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
  });

  it('rejects ready with the load failure, keeping whether files were missing', async () => {
    const client = new EmbeddingWorkerClient(INIT, events, 10);
    worker.reply({ type: 'load-failed', message: 'file was not found locally', notFound: true });
    const error = await client.ready.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WorkerLoadError);
    expect(error).toMatchObject({ notFound: true, message: 'file was not found locally' });
    worker.emit('exit', 0);
    await flush();
    expect(events.onCrash).not.toHaveBeenCalled();
  });

  it('forwards load progress', async () => {
    const client = new EmbeddingWorkerClient(INIT, events, 10);
    worker.reply({ type: 'progress', phase: 'download', progress: 0.5 });
    expect(events.onProgress).toHaveBeenCalledWith(
      expect.objectContaining({ phase: 'download', progress: 0.5 }),
    );
    await client.close();
  });
});
