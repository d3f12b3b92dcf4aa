// ingest_documents, the jobs and documents resources and delete_knowledge_base through a real MCP client.
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { documentsContentSchema, documentsUri } from '../../src/resources/documents.js';
import { TOOLS } from '../../src/tools/index.js';
import { jobSchema } from '../../src/tools/ingest-documents.js';
import { writeFiles } from '../helpers/document-files.js';
import { useIngestFixture } from '../helpers/ingest-server.js';
import { callTool, readJson, structured, textOf } from '../helpers/mcp-client.js';

const fx = useIngestFixture('ingest-tool');
const connect = fx.connect;

async function waitForJob(client: Client, uri: string) {
  for (let i = 0; i < 600; i++) {
    const job = await readJson(client, uri, jobSchema);
    if (job.status !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${uri} still running`);
}

describe('ingest_documents', () => {
  it('ingests a folder under the client roots and reports progress; the report is in the result', async () => {
    const client = await connect({ roots: [fx.docs.path] });
    const progress: number[] = [];
    const result = await callTool(
      client,
      'ingest_documents',
      { kb: 'docs', paths: [fx.docs.path] },
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    const job = structured(result, TOOLS.ingest_documents.outputSchema);
    expect(job).toMatchObject({ status: 'done', report: { kb: 'docs', added: 10, failed: [], skipped: [] } });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    const search = await callTool(client, 'hybrid_search', { kb: 'docs', query: 'narwhal', mode: 'lexical' });
    expect(textOf(search)).toContain('manual.pdf');
  });

  it('refuses paths outside the allowed roots, naming them and how to add one; no roots at all is refused too', async () => {
    const client = await connect({ roots: [join(fx.docs.path, 'notes')] });
    const refused = await callTool(client, 'ingest_documents', {
      kb: 'docs',
      paths: [join(fx.docs.path, 'site')],
    });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(
      /^INVALID_INPUT: .*outside the allowed roots \(.*notes\).*RAG_STUDIO_INGEST_ROOTS/,
    );
    const none = await connect();
    const nothing = await callTool(none, 'ingest_documents', { kb: 'docs', paths: [fx.docs.path] });
    expect(textOf(nothing)).toMatch(/^INVALID_INPUT: no folder is allowed for ingestion yet/);
    // The server's own RAG_STUDIO_INGEST_ROOTS grants access without client roots.
    const configured = await connect({ serverRoots: join(fx.docs.path, 'notes') });
    const ok = await callTool(configured, 'ingest_documents', {
      kb: 'notes',
      paths: [join(fx.docs.path, 'notes')],
    });
    expect(structured(ok, TOOLS.ingest_documents.outputSchema).report?.added).toBe(2);
  });

  it('returns a job id when the wait runs out; the job resource shows progress and then the report', async () => {
    await writeFiles(
      fx.docs.path,
      Object.fromEntries(
        Array.from({ length: 150 }, (_, i) => [`many/page-${i}.md`, `# Page ${i}\n\nText of page ${i}.\n`]),
      ),
    );
    const client = await connect({ roots: [fx.docs.path] });
    const result = await callTool(client, 'ingest_documents', {
      kb: 'docs',
      paths: [fx.docs.path],
      wait_seconds: 0,
    });
    const started = structured(result, TOOLS.ingest_documents.outputSchema);
    expect(started).toMatchObject({ status: 'running', report: null });
    expect(started.status_uri).toBe(`rag-studio://jobs/${started.job_id}`);
    const listed = await client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain(started.status_uri);
    const done = await waitForJob(client, started.status_uri);
    expect(done).toMatchObject({
      status: 'done',
      report: { added: 160 },
      progress: { phase: 'done', files_done: 160 },
    });
    await expect(client.readResource({ uri: 'rag-studio://jobs/nope' })).rejects.toThrow(/JOB_NOT_FOUND/);
  });

  it('cancelling the request cancels the job; documents written so far are whole', async () => {
    await writeFiles(
      fx.docs.path,
      Object.fromEntries(
        Array.from({ length: 400 }, (_, i) => [`many/page-${i}.md`, `# Page ${i}\n\nText ${i}.\n`]),
      ),
    );
    const client = await connect({ roots: [fx.docs.path] });
    const controller = new AbortController();
    const call = callTool(
      client,
      'ingest_documents',
      { kb: 'docs', paths: [fx.docs.path], wait_seconds: 30 },
      {
        signal: controller.signal,
        onprogress: (p) => {
          // The first notification proves the job runs; 400 files take far longer than the cancel's round trip.
          if (p.progress >= 0) controller.abort();
        },
      },
    );
    await expect(call).rejects.toThrow();
    const jobUri = (await client.listResources()).resources.find((r) =>
      r.uri.startsWith('rag-studio://jobs/'),
    )!.uri;
    const job = await waitForJob(client, jobUri);
    expect(job.status).toBe('cancelled');
    expect(job.error).toMatch(/^CANCELLED: /);
    const listedDocs = await fx.engine!.listDocuments('docs').catch(() => ({ documents: [] }));
    for (const doc of listedDocs.documents) expect(doc.chunks).toBeGreaterThan(0);
    expect(listedDocs.documents.length).toBeLessThan(410);
  });
});

describe('documents resource and delete_knowledge_base', () => {
  it('pages the documents of a knowledge base', async () => {
    const client = await connect({ roots: [fx.docs.path] });
    await callTool(client, 'ingest_documents', { kb: 'docs', paths: [fx.docs.path] });
    const first = await readJson(client, documentsUri('docs', 0, 4), documentsContentSchema);
    expect(first).toMatchObject({ kb: 'docs', total: 10, offset: 0, limit: 4, next_offset: 4 });
    expect(first.documents.map((d) => d.document_id)).toEqual([
      'data/config.yaml',
      'data/items.csv',
      'data/list.json',
      'guide.md',
    ]);
    expect(first.documents[3]).toMatchObject({
      title: 'User Guide',
      hash: expect.stringMatching(/^sha256:/),
      chunks: expect.any(Number),
    });
    const last = await readJson(client, documentsUri('docs', 8, 4), documentsContentSchema);
    expect(last).toMatchObject({ next_offset: null });
    expect(last.documents).toHaveLength(2);
    const plain = await readJson(
      client,
      'rag-studio://knowledge-bases/docs/documents',
      documentsContentSchema,
    );
    expect(plain).toMatchObject({ limit: 100, total: 10, path: null });
    // A search by path (case-insensitive, over id and source path) pages the matches alone.
    const found = await readJson(
      client,
      'rag-studio://knowledge-bases/docs/documents?offset=0&limit=2&path=DATA%2F',
      documentsContentSchema,
    );
    expect(found).toMatchObject({ path: 'DATA/', total: 3, offset: 0, next_offset: 2 });
    expect(found.documents.map((d) => d.document_id)).toEqual(['data/config.yaml', 'data/items.csv']);
  });

  it('asks the user through elicitation; a decline deletes nothing', async () => {
    let answer: 'accept' | 'decline' = 'decline';
    const client = await connect({
      roots: [fx.docs.path],
      elicit: () => ({ action: answer, content: { delete: true } }),
    });
    await callTool(client, 'ingest_documents', { kb: 'docs', paths: [fx.docs.path] });
    const declined = structured(
      await callTool(client, 'delete_knowledge_base', { kb: 'docs' }),
      TOOLS.delete_knowledge_base.outputSchema,
    );
    expect(declined).toMatchObject({ deleted: false, confirmed_by: 'declined' });
    answer = 'accept';
    const deleted = structured(
      await callTool(client, 'delete_knowledge_base', { kb: 'docs' }),
      TOOLS.delete_knowledge_base.outputSchema,
    );
    expect(deleted).toMatchObject({ deleted: true, generations: [1], confirmed_by: 'user' });
    expect(await fx.engine!.listKnowledgeBases()).toEqual([]);
  });

  it('without elicitation it needs the name repeated', async () => {
    const client = await connect({ roots: [fx.docs.path] });
    await callTool(client, 'ingest_documents', { kb: 'docs', paths: [fx.docs.path] });
    expect(textOf(await callTool(client, 'delete_knowledge_base', { kb: 'docs' }))).toMatch(
      /^INVALID_INPUT: .*confirm: "docs"/,
    );
    expect(textOf(await callTool(client, 'delete_knowledge_base', { kb: 'docs', confirm: 'doc' }))).toMatch(
      /^INVALID_INPUT/,
    );
    const done = structured(
      await callTool(client, 'delete_knowledge_base', { kb: 'docs', confirm: 'docs' }),
      TOOLS.delete_knowledge_base.outputSchema,
    );
    expect(done).toMatchObject({ deleted: true, confirmed_by: 'argument' });
    expect(textOf(await callTool(client, 'delete_knowledge_base', { kb: 'docs', confirm: 'docs' }))).toMatch(
      /^KB_NOT_FOUND/,
    );
    // The name is free again: a new knowledge base under it starts from an empty state.
    const again = await callTool(client, 'ingest_documents', {
      kb: 'docs',
      paths: [join(fx.docs.path, 'guide.md')],
    });
    expect(structured(again, TOOLS.ingest_documents.outputSchema).report).toMatchObject({
      added: 1,
      generation: 2,
    });
  });
});

describe('upsert_chunks replace_documents', () => {
  it('drops the chunks of a shortened document in the same call', async () => {
    const client = await connect();
    const chunk = (id: string, content: string) => ({ chunk_id: id, document_id: 'doc', content });
    await callTool(client, 'upsert_chunks', {
      kb: 'kb',
      chunks: [chunk('a', 'one'), chunk('b', 'two'), chunk('c', 'three')],
    });
    const out = structured(
      await callTool(client, 'upsert_chunks', {
        kb: 'kb',
        chunks: [chunk('a', 'one again')],
        replace_documents: true,
      }),
      TOOLS.upsert_chunks.outputSchema,
    );
    expect(out).toMatchObject({ updated: 1, inserted: 0, deleted: 2 });
    expect((await fx.engine!.listDocuments('kb')).documents[0]!.chunks).toBe(1);
  });
});
