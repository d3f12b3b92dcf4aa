// ingestDocuments: sync a knowledge base with files and folders (or rebuild it into a new generation).
import { engineErrorText } from '../config/engine-error-text.js';
import { EngineError, isEngineError } from '../engine/errors.js';
import type { ChunkInput, DocumentInfo, KnowledgeBaseEngine } from '../engine/types.js';
import { validateKbName } from '../engine/validation.js';
import { DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS } from './chunker.js';
import { readSourceFile, type ReadBytes, type StoredFile } from './read-file.js';
import { emptyReport, type IngestProgress, type IngestReport } from './report.js';
import {
  relativeToRoot,
  resolveRoots,
  rootFilter,
  walkRoot,
  type IngestRoot,
  type SourceFile,
} from './sources.js';
import { estimateTokens, type BatchTokenize, type TokenCounter } from './tokens.js';

/** Default cap on one file's size (--max-file-bytes). */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Chunks sent per write: each write is one commit per group of whole documents. */
const WRITE_CHUNKS = 4096;

export interface IngestOptions {
  kb: string;
  /** Files, folders or globs. */
  paths: string[];
  /** Relative paths resolve against this; default process.cwd(). */
  cwd?: string;
  include?: string[];
  exclude?: string[];
  /** Ingest everything into a new generation and promote it when done. */
  rebuild?: boolean;
  /** Read and chunk, report what would change, write nothing. */
  dryRun?: boolean;
  chunkTokens?: number;
  overlapTokens?: number;
  /** Overrides the token count; default the embedder's tokenizer when it has one, else estimateTokens. */
  countTokens?: TokenCounter;
  maxFileBytes?: number;
  /** When set, every path must be inside one of these (the MCP tool's allowed roots). */
  allowedRoots?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  /** Reads a file's bytes (default fs.readFile); tests pass a counting reader. */
  readBytes?: ReadBytes;
}

/** Metadata keys each chunk carries so a re-sync can skip files whose size and mtime did not change. */
const FILE_STAT_KEYS = ['file_size', 'file_mtime_ms'];

/**
 * Invariants: every document is written in one commit (old chunks out, new ones in, together), so a search
 * or a crash sees each document wholly old or wholly new; a document's content hash (citation.version) is
 * stored with it, so a re-run after a crash re-reads only what did not land. One bad file is reported and
 * the run goes on; a storage failure stops the run (and a rebuild then leaves the active generation alone), and a
 * rebuild in which any file failed is built but not promoted.
 */
export async function ingestDocuments(
  engine: KnowledgeBaseEngine,
  options: IngestOptions,
): Promise<IngestReport> {
  const started = performance.now();
  const kb = validateKbName(options.kb);
  const dryRun = options.dryRun ?? false;
  const rebuild = options.rebuild ?? false;
  const report = emptyReport(kb, dryRun, rebuild);
  const chunker = {
    maxTokens: options.chunkTokens ?? DEFAULT_CHUNK_TOKENS,
    overlapTokens: options.overlapTokens ?? DEFAULT_OVERLAP_TOKENS,
    ...(options.countTokens ? { countTokens: options.countTokens } : {}),
  };
  const tokenize = options.countTokens ? undefined : embedderTokenizer(engine);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const roots = await resolveRoots(options.paths, options.cwd ?? process.cwd(), options.allowedRoots);
  const progress: IngestProgress = { phase: 'scanning', filesDone: 0, filesTotal: null, chunks: 0 };
  const tell = () => options.onProgress?.({ ...progress });

  const files = await scan(roots, options, report);
  progress.filesTotal = files.length;
  progress.phase = 'ingesting';
  tell();

  let stored = new Map<string, DocumentInfo>();
  let generation: number | undefined;
  if (rebuild && !dryRun) {
    generation = (await engine.createGeneration(kb)).generation;
  } else if (!rebuild) {
    const listed = await engine
      .listDocuments(kb, { metadataKeys: FILE_STAT_KEYS })
      .catch((error: unknown) => {
        if (isEngineError(error) && error.code === 'KB_NOT_FOUND') return undefined;
        throw error;
      });
    if (listed) {
      stored = new Map(listed.documents.map((d) => [d.documentId, d]));
      generation = listed.generation;
    }
  }

  const seen = new Set<string>();
  const dropOld: string[] = [];
  let pending: ChunkInput[] = [];
  // One write in flight while the next files are read and chunked: LanceDB commits on its own threads, so
  // parsing (JavaScript) and writing overlap. Documents of one write are still committed whole and in order.
  let inFlight: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const settle = async () => {
    await inFlight;
    if (writeError !== undefined) throw writeError;
  };
  const flush = async () => {
    await settle();
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    inFlight = (async () => {
      const written = await writeDocuments(engine, kb, batch, generation, dryRun, options.signal, report);
      generation ??= written.generation;
      for (const documentId of written.documents) {
        if (stored.has(documentId)) report.updated++;
        else report.added++;
      }
      progress.chunks = report.chunks;
    })().catch((error: unknown) => {
      writeError = error;
    });
    // The first write of a new KB creates its generation: later writes must know which one.
    if (generation === undefined) await settle();
  };

  for (const file of files) {
    if (options.signal?.aborted) {
      await inFlight;
      throw cancelled(report);
    }
    seen.add(file.relPath);
    progress.currentPath = file.relPath;
    try {
      const outcome = await readSourceFile(file, {
        chunker,
        maxFileBytes,
        stored: storedFile(stored.get(file.relPath)),
        ...(options.readBytes ? { readBytes: options.readBytes } : {}),
        tokenize,
      });
      if (outcome.kind === 'unchanged') report.unchanged++;
      else if (outcome.kind === 'skipped') {
        report.skipped.push({ path: file.absPath, reason: outcome.reason });
        if (stored.has(file.relPath)) dropOld.push(file.relPath);
      } else pending.push(...outcome.chunks);
    } catch (error) {
      report.failed.push({ path: file.absPath, reason: errorText(error) });
    }
    if (pending.length >= WRITE_CHUNKS) await flush();
    progress.filesDone++;
    tell();
  }
  await flush();
  await settle();

  // Documents under these roots (and filters) that no longer exist, plus ones that became unreadable as text.
  const vanished = [...stored.values()]
    .filter((doc) => !seen.has(doc.documentId) && inScope(doc, roots, options))
    .map((doc) => doc.documentId);
  report.deleted = vanished.length;
  const toDelete = [...vanished, ...dropOld];
  if (toDelete.length > 0 && !dryRun) {
    progress.phase = 'deleting';
    tell();
    for (let i = 0; i < toDelete.length; i += engine.limits.maxDeleteIds) {
      const documentIds = toDelete.slice(i, i + engine.limits.maxDeleteIds);
      await engine.deleteChunks(kb, { documentIds, ...(generation !== undefined ? { generation } : {}) });
    }
  }
  if (rebuild && !dryRun && generation !== undefined) {
    if (report.failed.length > 0) {
      // Promoting would drop every failed file's document from search: keep the active generation serving.
      report.promoted = false;
      report.notPromotedReason =
        `${report.failed.length} file(s) failed, so generation ${generation} was built but not promoted (the ` +
        'active generation still serves); fix or exclude the failed files and rebuild again, or promote ' +
        `generation ${generation} as it is with promote_generation`;
    } else {
      progress.phase = 'promoting';
      tell();
      await engine.promoteGeneration(kb, generation);
      report.promoted = true;
    }
  }
  report.generation = generation ?? null;
  report.tookMs = Math.round(performance.now() - started);
  progress.phase = 'done';
  tell();
  return report;
}

/** All files of all roots, each once; a document id two roots would both produce is reported, not merged. */
async function scan(
  roots: IngestRoot[],
  options: IngestOptions,
  report: IngestReport,
): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const byId = new Map<string, string>();
  const events = { onSkip: (path: string, reason: string) => report.skipped.push({ path, reason }) };
  for (const root of roots) {
    for await (const file of walkRoot(
      root,
      roots,
      rootFilter(root, options.include ?? [], options.exclude ?? []),
      events,
    )) {
      const other = byId.get(file.relPath);
      if (other === file.absPath) continue;
      if (other !== undefined) {
        report.failed.push({
          path: file.absPath,
          reason: `document id "${file.relPath}" is already taken by ${other}; ingest these roots into separate knowledge bases`,
        });
        continue;
      }
      byId.set(file.relPath, file.absPath);
      files.push(file);
    }
  }
  return files;
}

/**
 * Writes whole documents (replace semantics). If the engine rejects the batch's input (one document breaks a
 * limit), each document is retried alone so only the bad one fails.
 */
async function writeDocuments(
  engine: KnowledgeBaseEngine,
  kb: string,
  chunks: ChunkInput[],
  generation: number | undefined,
  dryRun: boolean,
  signal: AbortSignal | undefined,
  report: IngestReport,
): Promise<{ generation: number | undefined; documents: string[] }> {
  const documents = [...new Set(chunks.map((c) => c.documentId))];
  if (dryRun) {
    report.chunks += chunks.length;
    return { generation, documents };
  }
  const write = (part: ChunkInput[]) =>
    engine.upsertChunks(kb, part, {
      replaceDocuments: true,
      ...(generation !== undefined ? { generation } : {}),
      ...(signal ? { signal } : {}),
    });
  try {
    const result = await write(chunks);
    report.chunks += chunks.length;
    return { generation: result.generation, documents };
  } catch (error) {
    if (!isEngineError(error) || (error.code !== 'INVALID_INPUT' && error.code !== 'LIMIT_EXCEEDED'))
      throw error;
  }
  const written: string[] = [];
  let target = generation;
  for (const documentId of documents) {
    const part = chunks.filter((c) => c.documentId === documentId);
    try {
      target = (await write(part)).generation;
      report.chunks += part.length;
      written.push(documentId);
    } catch (error) {
      if (!isEngineError(error) || (error.code !== 'INVALID_INPUT' && error.code !== 'LIMIT_EXCEEDED'))
        throw error;
      report.failed.push({ path: part[0]?.sourcePath ?? documentId, reason: errorText(error) });
    }
  }
  return { generation: target, documents: written };
}

/**
 * The embedder's tokenizer, loaded at the first changed document (an unchanged re-sync never loads the model).
 * If it cannot load, chunks are sized by the estimate; the embedding itself then reports the model's error.
 */
function embedderTokenizer(engine: KnowledgeBaseEngine): BatchTokenize | undefined {
  const embedder = engine.embedder;
  if (!embedder?.countTokens) return undefined;
  let usable: Promise<boolean> | undefined;
  return async (texts) => {
    usable ??= embedder.countTokens!(['probe']).then(
      () => true,
      () => false,
    );
    return (await usable) ? embedder.countTokens!(texts) : texts.map(estimateTokens);
  };
}

function storedFile(doc: DocumentInfo | undefined): StoredFile | undefined {
  if (!doc) return undefined;
  const number = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    version: doc.version,
    size: number(doc.metadata?.file_size),
    mtimeMs: number(doc.metadata?.file_mtime_ms),
  };
}

function inScope(doc: DocumentInfo, roots: IngestRoot[], options: IngestOptions): boolean {
  if (!doc.sourcePath) return false;
  return roots.some((root) => {
    const rel = relativeToRoot(root, doc.sourcePath!);
    return (
      rel !== undefined &&
      rel === doc.documentId &&
      rootFilter(root, options.include ?? [], options.exclude ?? [])(rel)
    );
  });
}

function errorText(error: unknown): string {
  const text = isEngineError(error)
    ? engineErrorText(error)
    : error instanceof Error
      ? error.message
      : String(error);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

function cancelled(report: IngestReport): EngineError {
  return new EngineError(
    'CANCELLED',
    `ingestion was cancelled after ${report.added + report.updated} documents were written; every written document ` +
      'is complete, and running the same ingestion again finishes the job',
  );
}
