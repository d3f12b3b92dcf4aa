// A local S3-compatible server (s3rver) on 127.0.0.1 with one bucket, for object-storage tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

export interface LocalS3 {
  /** `s3://bucket/<prefix>` for RAG_STUDIO_DATA_DIR. */
  uri(prefix: string): string;
  /** LanceDB/object_store options pointing at this server (RAG_STUDIO_STORAGE_OPTIONS as an object). */
  storageOptions: Record<string, string>;
  close(): Promise<void>;
}

const BUCKET = 'rag-studio';

/**
 * Starts s3rver on a free port. Note s3rver does not honour conditional writes (If-None-Match), which Lance's
 * commits rely on for concurrent writers on object storage: tests against it run writers one at a time.
 */
export async function startLocalS3(): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'rag-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  }) as { run(): Promise<{ port: number }>; close(): Promise<void> };
  const { port } = await server.run();
  return {
    uri: (prefix) => `s3://${BUCKET}/${prefix}`,
    storageOptions: {
      aws_endpoint: `http://127.0.0.1:${port}`,
      aws_access_key_id: 'S3RVER',
      aws_secret_access_key: 'S3RVER',
      aws_region: 'us-east-1',
      allow_http: 'true',
    },
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
