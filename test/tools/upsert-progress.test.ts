// upsert_chunks streams notifications/progress per batch when given a progress token, and honours cancellation.
import { afterEach, describe, expect, it } from 'vitest';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import * as upsertChunks from '../../src/tools/upsert-chunks.js';
import { callTool, startTestServer, structured, type TestServer } from '../helpers/mcp-client.js';

const chunks = (n: number, prefix = 'c') =>
  Array.from({ length: n }, (_, i) => ({
    chunk_id: `${prefix}-${i}`,
    document_id: `doc-${i % 7}`,
    content: `chunk number ${i} about topic ${i % 11} with some words to embed`,
  }));

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('upsert_chunks progress', () => {
  it('sends increasing progress per batch up to the total', async () => {
    t = await startTestServer({ engine: { writeBatchSize: 10 } });
    const seen: Progress[] = [];
    const result = await callTool(
      t.client,
      'upsert_chunks',
      { kb: 'bulk', chunks: chunks(45) },
      {
        onprogress: (p) => void seen.push(p),
      },
    );
    expect(structured(result, upsertChunks.outputSchema).upserted).toBe(45);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
    // The engine counts embedding and writing work, so total may exceed the chunk count; it must end complete.
    const last = seen.at(-1)!;
    expect(last.total).toBeGreaterThanOrEqual(45);
    expect(last.progress).toBe(last.total);
  });

  it('sends no progress without a progress token', async () => {
    t = await startTestServer({ engine: { writeBatchSize: 10 } });
    let notifications = 0;
    t.client.fallbackNotificationHandler = async (n) => {
      if (n.method === 'notifications/progress') notifications += 1;
    };
    structured(
      await callTool(t.client, 'upsert_chunks', { kb: 'bulk', chunks: chunks(30) }),
      upsertChunks.outputSchema,
    );
    expect(notifications).toBe(0);
  });
});

describe('upsert_chunks cancellation', () => {
  it('stops writing when the client cancels the request', async () => {
    t = await startTestServer({ engine: { writeBatchSize: 20 } });
    const total = 2000;
    const controller = new AbortController();
    const call = callTool(
      t.client,
      'upsert_chunks',
      { kb: 'bulk', chunks: chunks(total) },
      {
        signal: controller.signal,
        onprogress: () => controller.abort('test cancels after the first batch'),
      },
    );
    await expect(call).rejects.toThrow();
    // Wait until the count stops changing: a cancelled upsert settles below the total; one that ignored the
    // signal settles at the total.
    const count = async () =>
      (await t!.engine.listKnowledgeBases()).find((kb) => kb.name === 'bulk')?.chunkCount ?? 0;
    let settled = -1;
    for (let i = 0; i < 40; i++) {
      const a = await count();
      await new Promise((resolve) => setTimeout(resolve, 300));
      if ((await count()) === a) {
        settled = a;
        break;
      }
    }
    expect(settled).toBeGreaterThanOrEqual(0);
    expect(settled).toBeLessThan(total);
    // The server keeps serving, and re-sending the same chunks completes the job.
    const again = structured(
      await callTool(t.client, 'upsert_chunks', { kb: 'bulk', chunks: chunks(total) }),
      upsertChunks.outputSchema,
    );
    expect(again.upserted).toBe(total);
    expect(await count()).toBe(total);
  });
});
