// A local S3-compatible server (s3rver) on 127.0.0.1 with one bucket, for object-storage tests.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { startConditionalProxy, type ConditionalProxy } from './s3-conditional-proxy.js';

export interface LocalS3 {
  /** `s3://bucket/<prefix>` for RAG_STUDIO_DATA_DIR. */
  uri(prefix: string): string;
  /** LanceDB/object_store options pointing at this server (RAG_STUDIO_STORAGE_OPTIONS as an object). */
  storageOptions: Record<string, string>;
  /** The conditional-write proxy the options point at, when started with `conditionalWrites`. */
  proxy?: ConditionalProxy;
  close(): Promise<void>;
}

export interface LocalS3Options {
  /**
   * Put a proxy in front of s3rver that answers 412 to a conditional write whose precondition fails
   * (`If-None-Match: *` on an existing key), as S3 does; without it concurrent Lance commits can overwrite each other.
   */
  conditionalWrites?: boolean;
  /** Keep every request the proxy saw in `proxy.requests` (implies the proxy). */
  logRequests?: boolean;
}

const BUCKET = 'rag-studio';

interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}
interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

let temporaryFiles = 0;

/**
 * s3rver writes an object in place and, for a buffered body, answers the PUT before the write has finished,
 * so a GET can read half an object — which S3 never serves (a PUT is atomic and visible only when complete).
 * Lance then fails with "manifest length does not match". Write to a temporary file and rename it into
 * place before answering, as S3's semantics require.
 */
function makePutsAtomic(store: S3rverStore): void {
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const content = Buffer.isBuffer(object.content) ? object.content : await readAll(object.content);
    const temporary = `${objectPath}.${process.pid}.${temporaryFiles++}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, objectPath);
    const md5 = createHash('md5').update(content).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as string));
  return Buffer.concat(parts);
}

/**
 * Starts s3rver on a free port. s3rver alone does not honour conditional writes (If-None-Match), which Lance's
 * commits rely on for concurrent writers on object storage: pass `conditionalWrites` for a bucket that does.
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'rag-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  }) as { run(): Promise<{ port: number }>; close(): Promise<void>; store: S3rverStore };
  makePutsAtomic(server.store);
  const { port } = await server.run();
  const proxy =
    options.conditionalWrites || options.logRequests
      ? await startConditionalProxy(port, { log: options.logRequests ?? false })
      : undefined;
  return {
    uri: (prefix) => `s3://${BUCKET}/${prefix}`,
    ...(proxy ? { proxy } : {}),
    storageOptions: {
      aws_endpoint: proxy?.endpoint ?? `http://127.0.0.1:${port}`,
      aws_access_key_id: 'S3RVER',
      aws_secret_access_key: 'S3RVER',
      aws_region: 'us-east-1',
      allow_http: 'true',
    },
    close: async () => {
      await proxy?.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
