// Draft chunks → engine chunks: stable ids, metadata (heading path, lines, ordinal), citation, contextual header.
import { createHash } from 'node:crypto';
import type { ChunkInput, JsonValue } from '../engine/types.js';
import type { DraftChunk } from './chunker.js';
import type { SourceDocument } from './document.js';

/** Citation strings are capped (the engine caps citation fields at a few KiB); titles this long are noise. */
const MAX_TITLE = 300;
const MAX_ANCHOR = 300;
/** Heading path entries and depth kept in metadata (the engine caps metadata at 16 KiB per chunk). */
const MAX_HEADING = 200;
const MAX_HEADING_DEPTH = 8;

export interface DocumentIdentity {
  /** Path relative to its root, with / separators. */
  documentId: string;
  /** Absolute path of the file. */
  sourcePath: string;
  /** Content hash of the file (citation.version). */
  version: string;
  /** File size and mtime when read (metadata.file_size, metadata.file_mtime_ms): a re-sync skips reading the file while both match. */
  fileSize?: number;
  fileMtimeMs?: number;
}

/**
 * chunk_id = `<document_id>#<hash of the chunk text>`: the same text in the same document keeps its id across
 * runs (so created_at survives), whatever moved around it. A text repeated within a document gets `~2`, `~3`.
 * The embedded text starts with a contextual header (title › heading path), while `content` stays the source.
 */
export function toChunkInputs(
  document: SourceDocument,
  drafts: DraftChunk[],
  identity: DocumentIdentity,
): ChunkInput[] {
  const seen = new Map<string, number>();
  const title = clip(document.title, MAX_TITLE);
  return drafts.map((draft, ordinal) => {
    const headingPath = draft.headingPath.slice(0, MAX_HEADING_DEPTH).map((h) => clip(h, MAX_HEADING));
    const hash = createHash('sha256').update(draft.text).digest('hex').slice(0, 16);
    const repeat = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, repeat);
    const metadata: Record<string, JsonValue> = {
      ...document.metadata,
      format: document.format,
      heading_path: headingPath,
      line_start: draft.lineStart,
      line_end: draft.lineEnd,
      ordinal,
      ...(identity.fileSize !== undefined ? { file_size: identity.fileSize } : {}),
      ...(identity.fileMtimeMs !== undefined ? { file_mtime_ms: identity.fileMtimeMs } : {}),
      ...(document.language ? { language: document.language } : {}),
    };
    const path = headingPath.filter((h, i) => !(i === 0 && h === title));
    const header = [title, ...path].join(' › ');
    return {
      chunkId: `${identity.documentId}#${hash}${repeat > 1 ? `~${repeat}` : ''}`,
      documentId: identity.documentId,
      content: draft.text,
      metadata,
      title,
      sourcePath: identity.sourcePath,
      version: identity.version,
      anchor:
        draft.anchor !== null
          ? clip(draft.anchor, MAX_ANCHOR)
          : document.lineAnchors
            ? `#L${draft.lineStart}-L${draft.lineEnd}`
            : null,
      pageNumber: draft.pageNumber,
      // Also stored as fields of their own (read_chunks orders by ordinal); metadata keeps them for filters.
      ordinal,
      headingPath,
      lineStart: draft.lineStart,
      lineEnd: draft.lineEnd,
      embeddingText: `${header}\n${document.contextLine ? `${document.contextLine}\n` : ''}\n${draft.text}`,
    };
  });
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
