// Lance commits on an S3-compatible bucket with real conditional writes: the test proxy honours them, Lance uses them.
import { request } from 'node:http';
import { connect } from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../helpers/s3-server.js';

let s3: LocalS3 | undefined;
afterEach(async () => {
  await s3?.close();
  s3 = undefined;
});

/** An unsigned PUT of `body` to `path` through the proxy (s3rver accepts unsigned requests). */
function put(endpoint: string, path: string, body: string, headers: Record<string, string> = {}) {
  return new Promise<number>((resolve, reject) => {
    const req = request(`${endpoint}${path}`, { method: 'PUT', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the conditional-write proxy in front of s3rver', () => {
  it('answers 412 to If-None-Match: * on an existing key, and lets exactly one of 8 racing creates through', async () => {
    s3 = await startLocalS3({ conditionalWrites: true });
    const { endpoint } = s3.proxy!;
    const ifAbsent = { 'if-none-match': '*' };
    expect(await put(endpoint, '/rag-studio/once', 'first', ifAbsent)).toBe(200);
    expect(await put(endpoint, '/rag-studio/once', 'second', ifAbsent)).toBe(412);
    expect(await put(endpoint, '/rag-studio/once', 'blind overwrite')).toBe(200);

    const racing = await Promise.all(
      [...Array(8).keys()].map((i) => put(endpoint, '/rag-studio/raced', `writer ${i}`, ifAbsent)),
    );
    expect(racing.filter((status) => status === 200)).toHaveLength(1);
    expect(racing.filter((status) => status === 412)).toHaveLength(7);
    expect(s3.proxy!.refused).toBe(8);
  });
});

describe('Lance on a bucket with conditional writes', () => {
  it('commits each manifest with If-None-Match: *, so five concurrent appends from five connections all survive', async () => {
    s3 = await startLocalS3({ logRequests: true });
    const uri = s3.uri('commits');
    const options = { storageOptions: s3.storageOptions };
    const first = await (await connect(uri, options)).createTable('t', [{ id: 0 }]);
    const tables = await Promise.all(
      [1, 2, 3, 4, 5].map(async () => (await connect(uri, options)).openTable('t')),
    );
    const results = await Promise.allSettled(tables.map((table, i) => table.add([{ id: i + 1 }])));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));

    await first.checkoutLatest();
    const ids = ((await first.query().toArray()) as Array<{ id: number }>).map((r) => Number(r.id));
    expect(ids.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const manifestPuts = s3.proxy!.requests.filter(
      (r) => r.method === 'PUT' && r.path.includes('/_versions/') && r.path.endsWith('.manifest'),
    );
    // Every manifest write is a put-if-absent (no rename, no copy): what a real bucket must honour.
    expect(manifestPuts.length).toBeGreaterThanOrEqual(6);
    expect(manifestPuts.every((r) => r.ifNoneMatch === '*')).toBe(true);
    expect(s3.proxy!.requests.some((r) => r.copySource !== undefined)).toBe(false);
  });
});
