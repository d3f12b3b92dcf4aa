// `npm run bench:ingest`: ingestion of a generated documentation corpus (10k Markdown files + HTML + PDF).
// Prints a Markdown report and writes bench/results/ingestion.json. Not a test: numbers, not pass/fail.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { HashEmbedder } from '../src/engine/embedding/hash-embedder.js';
import { TransformersEmbedder } from '../src/engine/embedding/transformers-embedder.js';
import { openEngine } from '../src/engine/index.js';
import type { Embedder } from '../src/engine/types.js';
import { ingestDocuments, type IngestReport } from '../src/ingest/index.js';
import { chunkDocument } from '../src/ingest/chunker.js';
import { readerFor } from '../src/ingest/readers/index.js';
import { makePdf } from '../test/helpers/document-files.js';
import { seededRandom } from '../test/helpers/clustered-vectors.js';
import { writeTinyModel } from '../test/helpers/tiny-model.js';

const WORDS =
  'index search vector chunk generation promote lexical hybrid engine table query result filter model token embed document folder sync replace delete anchor heading page citation storage commit crash recover'.split(
    ' ',
  );

function prose(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return `${out.join(' ')}.`;
}

/** ~5 KB of Markdown: front matter, 3-5 sections, a code block, a table. */
function markdownFile(random: () => number, i: number): string {
  const parts = [`---\ntitle: Page ${i}\ntags: [bench, t${i % 7}]\n---\n# Page ${i}\n`, prose(random, 60)];
  const sections = 3 + Math.floor(random() * 3);
  for (let s = 0; s < sections; s++) {
    parts.push(`## Section ${s} of page ${i}`, prose(random, 80), prose(random, 70));
    if (s === 1)
      parts.push(
        '```ts\n' +
          Array.from({ length: 8 }, (_, k) => `const v${k} = compute(${k}, "${WORDS[k]}");`).join('\n') +
          '\n```',
      );
    if (s === 2)
      parts.push(
        '| key | value |\n| --- | --- |\n' +
          Array.from({ length: 6 }, (_, k) => `| ${WORDS[k]} | ${k * i} |`).join('\n'),
      );
  }
  return `${parts.join('\n\n')}\n`;
}

function htmlFile(random: () => number, i: number): string {
  const body = Array.from(
    { length: 4 },
    (_, s) => `<h2 id="s${s}">Section ${s}</h2><p>${prose(random, 90)}</p><p>${prose(random, 60)}</p>`,
  ).join('');
  return `<html><head><title>Html ${i}</title><script>var x = ${i};</script></head><body><nav>menu</nav><main><h1>Html ${i}</h1>${body}</main></body></html>`;
}

async function makeCorpus(dir: string, files: number, html: number, pdf: number): Promise<{ bytes: number }> {
  const random = seededRandom(7);
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const text = markdownFile(random, i);
    bytes += text.length;
    const sub = join(dir, 'md', `d${Math.floor(i / 500)}`);
    if (i % 500 === 0) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `page-${i}.md`), text);
  }
  await mkdir(join(dir, 'html'), { recursive: true });
  for (let i = 0; i < html; i++) {
    const text = htmlFile(random, i);
    bytes += text.length;
    await writeFile(join(dir, 'html', `page-${i}.html`), text);
  }
  await mkdir(join(dir, 'pdf'), { recursive: true });
  for (let i = 0; i < pdf; i++) {
    const pages = Array.from({ length: 3 }, () => Array.from({ length: 30 }, () => prose(random, 10)));
    const bytesPdf = await makePdf(pages, `Pdf ${i}`);
    bytes += bytesPdf.length;
    await writeFile(join(dir, 'pdf', `doc-${i}.pdf`), bytesPdf);
  }
  return { bytes };
}

/** Parse + chunk throughput of one format, on files already on disk (read time excluded). */
async function throughput(
  paths: string[],
): Promise<{ files: number; mb: number; seconds: number; mbPerSecond: number; chunks: number }> {
  const contents = await Promise.all(
    paths.map(async (p) => ({ name: basename(p), bytes: await readFile(p) })),
  );
  let chunks = 0;
  // One untimed file first: pdf.js alone takes seconds to load, once per process.
  const warm = contents[0];
  if (warm)
    await readerFor(warm.name)!.reader({
      bytes: warm.bytes,
      fileName: warm.name,
      extension: readerFor(warm.name)!.extension,
    });
  const started = performance.now();
  for (const { name, bytes } of contents) {
    const format = readerFor(name)!;
    const outcome = await format.reader({ bytes, fileName: name, extension: format.extension });
    if (!('skipped' in outcome))
      chunks += chunkDocument(outcome.document, { maxTokens: 300, overlapTokens: 40 }).length;
  }
  const seconds = (performance.now() - started) / 1000;
  const mb = contents.reduce((sum, c) => sum + c.bytes.length, 0) / 1e6;
  return {
    files: paths.length,
    mb: round(mb),
    seconds: round(seconds),
    mbPerSecond: round(mb / seconds),
    chunks,
  };
}

/** Wraps an embedder to add up the time spent in embedDocuments. */
function timed(embedder: Embedder): Embedder & { spentMs: number; tokenizeMs: number } {
  const wrapper = {
    spentMs: 0,
    tokenizeMs: 0,
    get id() {
      return embedder.id;
    },
    get dimension() {
      return embedder.dimension;
    },
    get revision() {
      return embedder.revision;
    },
    get pooling() {
      return embedder.pooling;
    },
    async embedDocuments(texts: string[], signal?: AbortSignal) {
      const started = performance.now();
      try {
        return await embedder.embedDocuments(texts, signal);
      } finally {
        wrapper.spentMs += performance.now() - started;
      }
    },
    embedQuery: (text: string, signal?: AbortSignal) => embedder.embedQuery(text, signal),
    // Forwarded so ingestion sizes chunks with the model's tokenizer, as it does without the wrapper.
    ...(embedder.countTokens
      ? {
          countTokens: async (texts: string[]) => {
            const started = performance.now();
            try {
              return await embedder.countTokens!(texts);
            } finally {
              wrapper.tokenizeMs += performance.now() - started;
            }
          },
        }
      : {}),
    status: () => embedder.status(),
    close: async () => embedder.close?.(),
  };
  return wrapper;
}

const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '10000' },
      html: { type: 'string', default: '300' },
      pdf: { type: 'string', default: '200' },
      'model-files': { type: 'string', default: '300' },
    },
  });
  const root = await mkdtemp(join(tmpdir(), 'rag-studio-ingest-bench-'));
  const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const docs = join(root, 'docs');
    log('generating the corpus');
    const corpus = await makeCorpus(docs, Number(values.files), Number(values.html), Number(values.pdf));
    log(`corpus: ${(corpus.bytes / 1e6).toFixed(1)} MB`);

    const formats = {
      markdown: await throughput(
        Array.from({ length: Math.min(2000, Number(values.files)) }, (_, i) =>
          join(docs, 'md', `d${Math.floor(i / 500)}`, `page-${i}.md`),
        ),
      ),
      html: await throughput(
        Array.from({ length: Number(values.html) }, (_, i) => join(docs, 'html', `page-${i}.html`)),
      ),
      pdf: await throughput(
        Array.from({ length: Number(values.pdf) }, (_, i) => join(docs, 'pdf', `doc-${i}.pdf`)),
      ),
    };
    log(`formats: ${JSON.stringify(formats)}`);

    const hash = timed(new HashEmbedder());
    const engine = await openEngine({ dataDir: join(root, 'data'), embedder: hash, gcIntervalSeconds: 0 });
    const run = async (label: string): Promise<IngestReport & { rssMb: number }> => {
      peakRss = 0;
      const report = await ingestDocuments(engine, { kb: 'bench', paths: [docs] });
      log(
        `${label}: ${report.tookMs} ms, ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.chunks} chunks`,
      );
      return { ...report, rssMb: Math.round(peakRss / 1e6) };
    };
    const initial = await run('initial ingest');
    const embedShareHash = hash.spentMs / initial.tookMs;
    const resync = await run('re-sync, nothing changed');
    for (let i = 0; i < 10; i++) {
      const path = join(docs, 'md', 'd0', `page-${i * 37}.md`);
      await writeFile(path, `${await readFile(path, 'utf8')}\nEdited paragraph ${i}.\n`);
    }
    const touched = await run('re-sync after editing 10 files');
    await engine.close();

    log('tiny model run');
    const modelRoot = join(root, 'model');
    const model = await writeTinyModel(modelRoot, { quantized: true });
    const tiny = timed(
      new TransformersEmbedder({
        model: model.dir,
        modelsDir: join(modelRoot, 'models'),
        offline: true,
        batchSize: 32,
      }),
    );
    const tinyEngine = await openEngine({
      dataDir: join(root, 'data-tiny'),
      embedder: tiny,
      gcIntervalSeconds: 0,
    });
    const modelReport = await ingestDocuments(tinyEngine, {
      kb: 'tiny',
      paths: [join(docs, 'md', 'd0')],
      include: Array.from({ length: Number(values['model-files']) }, (_, i) => `page-${i}.md`),
    });
    await tinyEngine.close();
    await tiny.close?.();

    const results = {
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
      corpus: {
        markdownFiles: Number(values.files),
        htmlFiles: Number(values.html),
        pdfFiles: Number(values.pdf),
        mb: round(corpus.bytes / 1e6),
      },
      formats,
      hash: {
        initial: {
          ms: initial.tookMs,
          chunks: initial.chunks,
          documents: initial.added,
          peakRssMb: initial.rssMb,
          embeddingShare: round(embedShareHash),
        },
        resyncUnchanged: { ms: resync.tookMs, unchanged: resync.unchanged, peakRssMb: resync.rssMb },
        resyncTen: { ms: touched.tookMs, updated: touched.updated, peakRssMb: touched.rssMb },
      },
      tinyModel: {
        files: modelReport.added,
        chunks: modelReport.chunks,
        ms: modelReport.tookMs,
        embeddingMs: Math.round(tiny.spentMs),
        embeddingShare: round(tiny.spentMs / modelReport.tookMs),
        tokenizeMs: Math.round(tiny.tokenizeMs),
      },
    };
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(
      join(import.meta.dirname, 'results', 'ingestion.json'),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    clearInterval(sampler);
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
