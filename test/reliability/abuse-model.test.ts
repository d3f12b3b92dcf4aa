// Abuse suite, model files: corrupt or hostile model files never kill or hang the built server.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MAIN, requireBuild, serverEnv } from '../helpers/built-server.js';
import { seededRandom } from '../helpers/clustered-vectors.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

interface EmbedderState {
  state: string;
  reason?: string;
}

interface Run {
  /** Embedder state once it stopped loading (or the last seen after `ms`). */
  embedder: EmbedderState | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Starts the built server over stdio with `modelDir`, reads rag-studio://status until the embedder has
 * settled (the background preload is where the crash happened), then closes stdin and waits for the exit.
 */
async function startAndSettle(dataDir: string, modelDir: string, ms = 20_000): Promise<Run> {
  const child = spawn(process.execPath, [BUILT_MAIN, '--embedding-model', modelDir], {
    env: serverEnv(dataDir),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const pending = new Map<number, (result: unknown) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  let nextId = 1;
  const request = (method: string, params: object): Promise<unknown> => {
    const id = nextId++;
    const answered = new Promise<unknown>((resolve) => pending.set(id, resolve));
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    return Promise.race([answered, exited.then(() => undefined)]);
  };
  await request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'abuse-model', version: '0' },
  });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  let embedder: EmbedderState | undefined;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const result = (await request('resources/read', { uri: 'rag-studio://status' })) as
      { contents: Array<{ text: string }> } | undefined;
    if (result === undefined) break; // the process is gone
    embedder = (JSON.parse(result.contents[0]!.text) as { embedder: EmbedderState }).embedder;
    if (embedder.state !== 'loading') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.stdin.end();
  return { embedder, ...(await exited), stderr };
}

let temp: TempDir;

beforeAll(async () => {
  requireBuild();
  temp = await makeTempDir('rag-abuse-model-');
});
afterAll(async () => {
  await temp?.remove();
});

describe('corrupt model files', () => {
  it('a random 1,000-byte model.onnx in 20 starts: 0 process deaths, a clear EMBEDDER_UNAVAILABLE each time', async () => {
    const model = await writeTinyModel(temp.path, { name: 'corrupt' });
    const deaths: string[] = [];
    for (let start = 0; start < 20; start++) {
      const random = seededRandom(1000 + start);
      await writeFile(
        join(model.dir, 'onnx', 'model.onnx'),
        Uint8Array.from({ length: 1000 }, () => Math.floor(random() * 256)),
      );
      const run = await startAndSettle(join(temp.path, `data-${start}`), model.dir);
      if (run.code !== 0 || run.signal !== null)
        deaths.push(`start ${start}: ${run.code ?? run.signal} ${run.stderr}`);
      expect(run.embedder?.state, run.stderr).toBe('failed');
      expect(run.embedder?.reason).toMatch(/onnx\/model\.onnx is not a valid ONNX model/);
      expect(run.stderr).not.toContain('terminate called');
    }
    expect(deaths).toEqual([]);
  });

  it('a FIFO or /dev/zero as config.json neither hangs nor kills the server', async () => {
    for (const kind of ['fifo', 'zero'] as const) {
      const model = await writeTinyModel(temp.path, { name: `hostile-${kind}` });
      const config = join(model.dir, 'config.json');
      await unlink(config);
      if (kind === 'fifo') execFileSync('mkfifo', [config]);
      else execFileSync('ln', ['-s', '/dev/zero', config]);
      const run = await startAndSettle(join(temp.path, `data-${kind}`), model.dir);
      expect(run.embedder, run.stderr).toMatchObject({ state: 'failed' });
      expect(run.embedder?.reason).toContain('config.json is not a regular file');
      // The status resource spells the engine's terms as env vars, as the tools do.
      expect(run.embedder?.reason).toContain(
        'choose another model (RAG_STUDIO_EMBEDDING_MODEL: a local model folder, or "none"',
      );
      expect([run.code, run.signal]).toEqual([0, null]);
    }
  });
});
