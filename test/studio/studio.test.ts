// RAG Studio end to end in real headless Chromium against a real HTTP server over real LanceDB data.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type Browser } from '../helpers/chromium.js';
import { connectHttpClient, startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { KeywordEmbedder } from '../helpers/keyword-embedder.js';
import { callTool, sampleChunks } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { writeTinyCrossEncoder } from '../helpers/tiny-model.js';

const skip = chromiumMissing();
if (skip) console.warn(`studio browser tests ${skip}`);

/** Screenshots go to docs/ when RAG_STUDIO_SCREENSHOTS=docs (`npm run studio:screenshots`), else a temp dir. */
const DOCS = join(import.meta.dirname, '..', '..', 'docs');

/** Waits for what the page shows; generous, since promotion seals indexes and the CPU is shared in CI. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 100 });

describe.skipIf(skip !== undefined)('RAG Studio in Chromium', () => {
  let temp: TempDir;
  let server: TestHttpServer;
  let client: Client;
  let browser: Browser;
  let shots: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('rag-studio-studio-');
    const notes = join(temp.path, 'notes');
    await mkdir(notes, { recursive: true });
    await writeFile(
      join(notes, 'release.md'),
      '# Releases\n\nRoll back a release by promoting the archived generation.\n',
    );
    // One chunk per section: four chunks with heading paths, line ranges and anchors, in this order.
    await writeFile(
      join(notes, 'manual.md'),
      [
        '# Manual',
        '',
        'How this project is run day to day.',
        '',
        '## Install',
        '',
        'Run npm ci, then npm test.',
        '',
        '## Configure',
        '',
        'Set the data directory first.',
        '',
        '### Advanced',
        '',
        'Tune the garbage collection interval.',
        '',
      ].join('\n'),
    );
    await writeFile(join(notes, 'logo.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
    // A real (tiny, generated) cross-encoder, so rerank bars and the reranker's status are the real thing.
    const reranker = await writeTinyCrossEncoder(temp.path);
    server = await startTestHttpServer({
      dataDir: join(temp.path, 'data'),
      args: ['--ingest-roots', notes, '--rerank-model', reranker.dir, '--offline'],
    });
    client = await connectHttpClient(server.http.url, { token: server.token });
    // KB "guide": generation 1 active, generation 2 (a copy) building, ready to be promoted from the page.
    expect(
      (await callTool(client, 'upsert_chunks', { kb: 'guide', chunks: sampleChunks() })).isError,
    ).toBeFalsy();
    expect(
      (await callTool(client, 'create_generation', { kb: 'guide', copy_from_active: true })).isError,
    ).toBeFalsy();
    // Generation 2 differs: faq changed, changelog added, faq-de removed (what the compare view must show).
    const changes = [
      await callTool(client, 'upsert_chunks', {
        kb: 'guide',
        generation: 2,
        chunks: [
          {
            chunk_id: 'faq-1',
            document_id: 'faq',
            content: 'Garbage collection removes archived generations once no reader pins them.',
          },
          {
            chunk_id: 'changelog-1',
            document_id: 'changelog',
            content: 'Changelog: garbage collection now runs in the background.',
          },
        ],
      }),
      await callTool(client, 'delete_chunks', { kb: 'guide', generation: 2, document_ids: ['faq-de'] }),
    ];
    for (const change of changes) expect(change.isError, JSON.stringify(change.content)).toBeFalsy();
    const job = await callTool(client, 'ingest_documents', { kb: 'notes', paths: [notes], wait_seconds: 30 });
    expect(job.isError, JSON.stringify(job.content)).toBeFalsy();
    shots = process.env.RAG_STUDIO_SCREENSHOTS === 'docs' ? DOCS : join(temp.path, 'shots');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await server?.close();
    await temp?.remove();
  });

  const openPage = async (url: string): Promise<Page> => {
    const page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(url);
    return page;
  };
  /** The page fits a 390 px screen without sideways scrolling (wide tables scroll inside their own box). */
  const fitsPhone = async (page: Page): Promise<number> => {
    await page.setViewportSize({ width: 390, height: 844 });
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    await page.setViewportSize({ width: 1280, height: 900 });
    return width;
  };
  const nav = (page: Page, view: string) =>
    page.getByRole('navigation').getByRole('button', { name: view }).click();

  it('a wrong token gets a clear message and the token form', async () => {
    const page = await openPage(`${server.http.studioUrl}#token=not-the-token`);
    await poll(() => page.getByRole('alert').first().textContent()).toMatch(/Wrong token/);
    expect(await page.getByLabel('Access token').isVisible()).toBe(true);
    // The fragment is gone from the address bar, and the refused token from storage.
    expect(page.url()).not.toContain('not-the-token');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.close();
    // The one console error allowed: Chromium's own line for the refused (401) request.
    expect(consoleErrors.every((e) => e.includes('401'))).toBe(true);
    consoleErrors.length = 0;
  });

  it('takes the token from the form, lists the KBs, searches with highlights and score bars, by keyboard too', async () => {
    const page = await openPage(server.http.studioUrl);
    await page.getByLabel('Access token').fill(server.token);
    await page.keyboard.press('Enter');
    const guideRow = page.getByRole('row', { name: /^guide/ });
    await poll(() => guideRow.textContent()).toContain('hash (384-d)');
    await poll(() => page.getByRole('row', { name: /^notes/ }).count()).toBe(1);
    await poll(() => guideRow.textContent()).toMatch(/indexes ·/);
    // guide, faq and faq-de: the count comes from the documents resource after the first paint.
    await poll(() => page.locator('[data-documents="guide"]').textContent()).toBe('3');
    // Sent as a header, kept in this tab only: no cookie.
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate("sessionStorage.getItem('rag-studio-token')")).toBe(server.token);
    await page.screenshot({ path: join(shots, 'studio-knowledge-bases.png') });
    expect(await fitsPhone(page)).toBeLessThanOrEqual(390);

    // Keyboard: Tab to the Search tab and press Enter.
    await page.getByRole('navigation').getByRole('button').first().focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const query = page.getByLabel('Query');
    await query.waitFor();
    await query.fill('install npm');
    await query.press('Enter');
    const results = page.locator('.result');
    await poll(() => results.count()).toBeGreaterThan(0);
    // Citation shown as source path + anchor; hybrid over the test hash model may rank the German twin first.
    const first = results.filter({ hasText: 'docs/guide.md#install · page 1' });
    expect(await first.count()).toBe(1);
    const marks = await first.locator('mark').allTextContents();
    expect(marks.map((m) => m.toLowerCase())).toEqual(expect.arrayContaining(['install', 'npm']));
    // One bar per side, each labelled with its score and rank.
    const bars = first.locator('meter');
    expect(await bars.count()).toBe(2);
    expect(await bars.nth(1).getAttribute('aria-label')).toMatch(/^lexical score [\d.]+, rank \d+$/);
    expect(await page.locator('#search-summary').textContent()).toMatch(/hybrid \(calibrated\) · [\d.]+ ms/);
    // Every control has a label (or an aria-label).
    // (Browser code as a string: the test's TypeScript has no DOM types.)
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, textarea, meter')]
      .filter((el) => el.labels?.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML)`);
    expect(unlabelled).toEqual([]);
    await page.screenshot({ path: join(shots, 'studio-search.png'), fullPage: true });

    // rerank (a control generated from the tool's schema) on the server's real cross-encoder: a third bar.
    await page.getByText(/^More options/).click();
    await page.getByLabel('rerank', { exact: true }).selectOption('true');
    await query.press('Enter');
    await poll(() => results.first().locator('meter').count()).toBe(3);
    expect(await results.first().locator('meter').first().getAttribute('aria-label')).toMatch(
      /^rerank score [\d.]+, rank 1$/,
    );

    // Options hybrid_search gains later get controls from its schema: the generator, fed such a schema.
    const generated = await page.evaluate(`(async () => {
      const { extraFields } = await import('/studio/views/schema-fields.js');
      const f = extraFields({ properties: {
        kb: { type: 'string' },
        rerank: { type: 'boolean', description: 'Re-rank the top results. More text.' },
        budget_tokens: { type: 'integer', minimum: 1 },
        group_by: { enum: ['document', 'none'] },
      } }, ['kb']);
      const [rerank, budget, group] = f.element.querySelectorAll('select, input');
      rerank.value = 'true';
      budget.value = '500';
      group.value = 'document';
      return { labels: [...f.element.querySelectorAll('label')].map((l) => l.textContent), args: f.read() };
    })()`);
    expect(generated).toEqual({
      labels: ['rerank', 'budget_tokens', 'group_by'],
      args: { rerank: true, budget_tokens: 500, group_by: 'document' },
    });

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(shots, 'studio-search-390.png') });
    await page.setViewportSize({ width: 1280, height: 900 });

    // A result opens its whole document, in order, in the Documents view.
    await results
      .filter({ hasText: 'docs/guide.md#install' })
      .getByRole('button', { name: 'Read guide in order' })
      .click();
    await poll(() => page.locator('#document-summary').textContent()).toMatch(/chunks 1–2 of 2/);
    expect(await page.locator('nav [aria-current="page"]').textContent()).toBe('Documents');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('promotes a generation and rolls it back, each after a confirmation, and the timeline follows', async () => {
    const page = await openPage(`${server.http.studioUrl}#token=${server.token}`);
    await nav(page, 'Generations');
    const gen = (n: number) => page.locator(`[data-generation="${n}"] .badge`);
    await poll(() => gen(2).textContent()).toBe('building');
    expect(await gen(1).textContent()).toBe('active');

    await page.getByRole('button', { name: 'Promote generation 2' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Promote guide to generation 2?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await gen(2).textContent()).toBe('building');

    await page.getByRole('button', { name: 'Promote generation 2' }).click();
    await dialog.getByRole('button', { name: 'Promote to 2' }).click();
    await poll(() => gen(2).textContent()).toBe('active');
    expect(await gen(1).textContent()).toBe('archived');
    expect(await page.locator('#action-result').textContent()).toContain('"active_generation": 2');

    await page.getByRole('button', { name: 'Roll back to generation 1' }).click();
    await dialog.getByRole('button', { name: 'Roll back to 1' }).click();
    await poll(() => gen(1).textContent()).toBe('active');
    expect(await gen(2).textContent()).toBe('archived');

    // GC: the dry run's preview comes first; cancelling it deletes nothing.
    await page.getByRole('button', { name: 'Garbage collection…' }).click();
    expect(await dialog.textContent()).toMatch(/keep guide generation 2|Nothing would be deleted/);
    await page.screenshot({ path: join(shots, 'studio-gc-preview.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.screenshot({ path: join(shots, 'studio-generations.png'), fullPage: true });
    expect(await fitsPhone(page)).toBeLessThanOrEqual(390);
    const after = await client.readResource({ uri: 'rag-studio://knowledge-bases/guide/generations' });
    expect(JSON.parse((after.contents[0] as { text: string }).text).generations).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('compares two generations: documents added, removed and changed, and per query overlap and rank moves', async () => {
    // Stored golden queries fill the query box (set only now: they would gate the promotions above).
    const golden = await callTool(client, 'set_golden_queries', {
      kb: 'guide',
      queries: [{ query: 'roll back', expected_document_ids: ['guide', 'faq'] }],
    });
    expect(golden.isError, JSON.stringify(golden.content)).toBeFalsy();
    const page = await openPage(`${server.http.studioUrl}#token=${server.token}`);
    await nav(page, 'Generations');
    // After the rollback generation 1 is active again: base 1, candidate 2 are the defaults.
    await poll(() => page.getByLabel('Base generation').inputValue()).toBe('1');
    expect(await page.getByLabel('Candidate generation').inputValue()).toBe('2');
    await poll(() => page.getByLabel('Queries').inputValue()).toBe('roll back | guide, faq');
    await page.getByLabel('Queries').fill('garbage collection\ninstall npm | guide');
    await page.getByLabel('Mode', { exact: true }).last().selectOption('lexical');
    await page.getByRole('button', { name: 'Compare' }).click();
    const summary = page.locator('#compare-summary');
    await poll(() => summary.textContent()).toMatch(/^Generation 1 → 2 · lexical, top 10 · mean overlap/);
    // The one judged query finds guide on both sides.
    expect(await summary.textContent()).toMatch(/over 1 judged: recall@10 1\.000 → 1\.000/);
    const diff = page.getByRole('region', { name: 'Content diff' });
    expect(await diff.getByText('Added (1)').count()).toBe(1);
    expect(await diff.locator('details', { hasText: 'Added' }).locator('li').allTextContents()).toEqual([
      'changelog',
    ]);
    expect(await diff.locator('details', { hasText: 'Removed' }).locator('li').allTextContents()).toEqual([
      'faq-de',
    ]);
    expect(await diff.locator('details', { hasText: 'Changed' }).locator('li').allTextContents()).toEqual([
      'faq',
    ]);
    // "garbage collection": base finds faq-1 alone, the candidate faq-1 and the new changelog chunk.
    const gcQuery = page.locator('.compare-query', { hasText: 'garbage collection' });
    expect(await gcQuery.locator('meter').getAttribute('aria-label')).toBe('top-10 overlap 50%');
    expect(await gcQuery.getByRole('row', { name: /^changelog-1/ }).textContent()).toContain(
      'new in the top k',
    );
    // "install npm": faq-de-1 left the candidate's top k.
    const installQuery = page.locator('.compare-query', { hasText: 'install npm' });
    expect(await installQuery.getByRole('row', { name: /^faq-de-1/ }).textContent()).toContain(
      'left the top k',
    );
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, textarea, meter')]
      .filter((el) => el.labels?.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML)`);
    expect(unlabelled).toEqual([]);
    await page.locator('.compare').screenshot({ path: join(shots, 'studio-compare.png') });
    // With golden queries stored, the promotion dialog says they gate it (cancelled: nothing changes).
    await page.getByRole('button', { name: 'Promote generation 2 again' }).click();
    expect(await page.getByRole('dialog').textContent()).toMatch(
      /The 1 golden queries of guide run first; a drop of mean recall@10 by more than 0\.05 refuses/,
    );
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await fitsPhone(page)).toBeLessThanOrEqual(390);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('shows documents, the ingestion job with its skipped file, and the status', async () => {
    const page = await openPage(`${server.http.studioUrl}#token=${server.token}`);
    await nav(page, 'Documents');
    await page.getByLabel('Knowledge base').selectOption('notes');
    await poll(() => page.getByRole('row', { name: /release\.md/ }).count()).toBe(1);
    await page.screenshot({ path: join(shots, 'studio-documents.png') });
    expect(await fitsPhone(page)).toBeLessThanOrEqual(390);

    // Search by path: the server filters (case-insensitive), the count says how many match.
    await page.getByLabel('Find documents by path').fill('MAN');
    await page.getByLabel('Find documents by path').press('Enter');
    await poll(() => page.locator('#documents-summary').textContent()).toMatch(/matching "MAN" 1–1 of 1$/);
    expect(await page.getByRole('row', { name: /release\.md/ }).count()).toBe(0);

    // Opening it reads its chunks in order, a small token budget per page, paged forward and back.
    await page.getByRole('button', { name: 'manual.md' }).click();
    const summary = page.locator('#document-summary');
    await poll(() => summary.textContent()).toMatch(/of 4, in document order/);
    await page.getByLabel('Tokens per page').fill('12');
    await page.getByRole('button', { name: 'Reload' }).click();
    // 1–4 is the page before the reload (default budget): wait for the 12-token page, which holds fewer.
    await poll(() => summary.textContent()).toMatch(/chunks 1–[1-3] of 4/);
    const seen: string[][] = [];
    for (let pages = 1; ; pages++) {
      const items = page.locator('.chunks > li');
      seen.push(
        await items.evaluateAll((els) =>
          els.map(
            (el) =>
              `${el.querySelector('.result-head strong')?.textContent} | ${el.querySelector('.citation')?.textContent}`,
          ),
        ),
      );
      const next = page.getByRole('button', { name: 'Next chunks' });
      if (await next.isDisabled()) {
        expect(pages).toBeGreaterThan(1);
        break;
      }
      const before = await summary.textContent();
      await next.click();
      await poll(() => summary.textContent()).not.toBe(before);
    }
    const all = seen.flat();
    expect(all.map((c) => c.split(' | ')[0])).toEqual([
      'Manual',
      'Manual › Install',
      'Manual › Configure',
      'Manual › Configure › Advanced',
    ]);
    expect(all[0]).toMatch(/\| lines 1–3 · #manual · /);
    expect(all[3]).toMatch(/\| lines 13–15 · #advanced · /);
    await page.getByRole('button', { name: 'Previous chunks' }).click();
    await poll(() => summary.textContent()).not.toMatch(/chunks 1–/);
    await page.getByLabel('Tokens per page').fill('4000');
    await page.getByRole('button', { name: 'Reload' }).click();
    await poll(() => summary.textContent()).toMatch(/chunks 1–4 of 4/);
    await page.screenshot({ path: join(shots, 'studio-document-chunks.png'), fullPage: true });
    expect(await fitsPhone(page)).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: '← All documents' }).click();
    await poll(() => page.getByRole('row', { name: /manual\.md/ }).count()).toBe(1);

    await nav(page, 'Jobs');
    const job = page.locator('.jobs li').first();
    await poll(() => job.textContent()).toContain('done');
    await job.getByText('Skipped (1)').click();
    expect(await job.textContent()).toContain('logo.bin');
    await page.screenshot({ path: join(shots, 'studio-jobs.png') });
    expect(await fitsPhone(page)).toBeLessThanOrEqual(390);

    await nav(page, 'Status');
    await poll(() => page.locator('main').textContent()).toContain('max_chunks_per_call');
    expect(await page.locator('main').textContent()).toContain('ready');
    // The reranker the search test used: its model and state.
    const reranker = page.locator('section', { has: page.getByRole('heading', { name: 'Reranker' }) });
    expect(await reranker.textContent()).toContain('tiny-cross-encoder');
    expect(await reranker.textContent()).toContain('ready');
    await page.screenshot({ path: join(shots, 'studio-status.png'), fullPage: true });
    expect(await fitsPhone(page)).toBeLessThanOrEqual(390);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('follows a running ingestion job live until it is done', async () => {
    // Document embedding waits for the test's word, so the job is surely running while the page looks.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    class HeldEmbedder extends KeywordEmbedder {
      override async embedDocuments(texts: string[]): Promise<Float32Array[]> {
        await held;
        return super.embedDocuments(texts);
      }
    }
    const notes = join(temp.path, 'notes');
    const jobsServer = await startTestHttpServer({
      dataDir: join(temp.path, 'jobs-data'),
      args: ['--ingest-roots', notes],
      embedder: new HeldEmbedder(),
    });
    const jobsClient = await connectHttpClient(jobsServer.http.url, { token: jobsServer.token });
    try {
      const started = await callTool(jobsClient, 'ingest_documents', {
        kb: 'live',
        paths: [notes],
        wait_seconds: 0,
      });
      expect((started.structuredContent as { status: string }).status).toBe('running');
      const page = await openPage(`${jobsServer.http.studioUrl}#token=${jobsServer.token}`);
      await nav(page, 'Jobs');
      const job = page.locator('.jobs li').first();
      await poll(() => job.locator('.badge').textContent()).toBe('running');
      await poll(() => job.locator('progress').count()).toBe(1);
      release();
      // The view polls while a job runs: the same page shows it done, with its report.
      await poll(() => job.locator('.badge').textContent()).toBe('done');
      expect(await job.textContent()).toMatch(/2 added/);
      expect(await job.locator('progress').count()).toBe(0);
      expect(consoleErrors).toEqual([]);
      await page.close();
    } finally {
      release();
      await jobsClient.close();
      await jobsServer.close();
    }
  });

  it('says so when an action fails because the server went away, then a read-only server shows no actions', async () => {
    const stale = await openPage(`${server.http.studioUrl}#token=${server.token}`);
    await nav(stale, 'Generations');
    await poll(() => stale.locator('[data-generation]').count()).toBe(2);
    await client.close();
    await server.close();
    await stale.getByRole('button', { name: 'Promote generation 2 again' }).click();
    await stale.getByRole('dialog').getByRole('button', { name: 'Promote to 2' }).click();
    await poll(() => stale.locator('#notice').textContent()).toMatch(/^Failed: /);
    await stale.close();
    // Chromium itself logs the refused connection; nothing else.
    expect(consoleErrors.every((e) => e.includes('ERR_CONNECTION_REFUSED'))).toBe(true);
    consoleErrors.length = 0;

    server = await startTestHttpServer({ dataDir: join(temp.path, 'data'), args: ['--read-only'] });
    client = await connectHttpClient(server.http.url, { token: server.token });
    const page = await openPage(`${server.http.studioUrl}#token=${server.token}`);
    await poll(() => page.locator('#server-info').textContent()).toContain('read-only');
    await nav(page, 'Generations');
    await poll(() => page.locator('[data-generation]').count()).toBe(2);
    // Only the read-only compare is offered.
    expect(await page.locator('#view button').allTextContents()).toEqual(['Compare']);
    expect(await page.getByRole('button', { name: /Promote|Roll back|New generation|Garbage/ }).count()).toBe(
      0,
    );
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
