// One file → its engine chunks (or why not): size cap, format registry, reader, chunker, chunk records.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ChunkInput } from '../engine/types.js';
import { chunkDocument, type ChunkerOptions } from './chunker.js';
import type { SourceDocument } from './document.js';
import { toChunkInputs } from './chunk-records.js';
import { readerFor } from './readers/index.js';
import type { SourceFile } from './sources.js';
import { documentTokenCounter, type BatchTokenize } from './tokens.js';

export type FileOutcome =
  { kind: 'chunks'; chunks: ChunkInput[] } | { kind: 'unchanged' } | { kind: 'skipped'; reason: string };

/** sha256 of the bytes, shortened: the document's version, compared on every re-run. */
export function contentHash(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
}

/** What the KB holds for a document: its content hash and the file's size and mtime when it was read. */
export interface StoredFile {
  version: string | null;
  size?: number | undefined;
  mtimeMs?: number | undefined;
}

/** Reads a file's bytes; injectable so a test can count reads. */
export type ReadBytes = (absPath: string) => Promise<Buffer>;

/**
 * Reads a file unless it is over the cap or of an unknown format. Returns `unchanged` without reading when
 * size and mtime equal the stored ones (as rsync and make trust them), else after reading when its hash
 * equals the stored version (a touched but identical file is not re-embedded). Reader errors (a truncated
 * PDF, a broken DOCX zip) propagate: the caller reports them as failed.
 */
export async function readSourceFile(
  file: SourceFile,
  options: {
    chunker: ChunkerOptions;
    maxFileBytes: number;
    stored: StoredFile | undefined;
    readBytes?: ReadBytes;
    /** The embedder's tokenizer: one call per document, for all its words (chunker.countTokens wins). */
    tokenize?: BatchTokenize | undefined;
  },
): Promise<FileOutcome> {
  const name = basename(file.relPath);
  const format = readerFor(name);
  if (!format) return { kind: 'skipped', reason: 'unknown or binary format (no reader for this file type)' };
  if (file.size > options.maxFileBytes) {
    return {
      kind: 'skipped',
      reason: `${file.size} bytes is over the ${options.maxFileBytes}-byte cap (--max-file-bytes)`,
    };
  }
  if (file.size === 0) return { kind: 'skipped', reason: 'empty file' };
  const stored = options.stored;
  if (stored?.version && stored.size === file.size && stored.mtimeMs === file.mtimeMs)
    return { kind: 'unchanged' };
  const bytes = await (options.readBytes ?? readFile)(file.absPath);
  const version = contentHash(bytes);
  if (version === stored?.version) return { kind: 'unchanged' };
  const outcome = await format.reader({ bytes, fileName: name, extension: format.extension });
  if ('skipped' in outcome) return { kind: 'skipped', reason: outcome.skipped };
  const chunker =
    options.tokenize && !options.chunker.countTokens
      ? {
          ...options.chunker,
          countTokens: await documentTokenCounter(blockTexts(outcome.document), options.tokenize),
        }
      : options.chunker;
  const drafts = chunkDocument(outcome.document, chunker);
  if (drafts.length === 0) return { kind: 'skipped', reason: 'no text in it' };
  return {
    kind: 'chunks',
    chunks: toChunkInputs(outcome.document, drafts, {
      documentId: file.relPath,
      sourcePath: file.absPath,
      version,
      fileSize: file.size,
      fileMtimeMs: file.mtimeMs,
    }),
  };
}

function blockTexts(document: SourceDocument): string[] {
  return document.sections.flatMap((section) => [
    ...section.headingPath,
    ...section.blocks.map((block) => block.text),
  ]);
}
