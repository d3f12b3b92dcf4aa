// The hits stage of a search: ranked rows become SearchHits with snippet, citation and parsed metadata.
import { parseHeadingPath, parseMetadata, storedChunkFromRow } from '../storage/chunk-schema.js';
import type { DuplicateLocation, SearchHit } from '../types.js';
import type { Ranked } from './post-process.js';
import type { Row } from './retrieve.js';
import { makeSnippet } from './snippet.js';

export function toHit(ranked: Ranked, kb: string, generation: number, text: string | undefined): SearchHit {
  const stored = storedChunkFromRow(ranked.row);
  return {
    chunkId: stored.chunk_id,
    documentId: stored.document_id,
    kb,
    generation,
    score: ranked.score,
    scores: ranked.scores,
    ranks: ranked.ranks,
    content: stored.content,
    snippet: makeSnippet(stored.content, text),
    metadata: parseMetadata(stored.metadata),
    citation: {
      title: stored.title,
      sourcePath: stored.source_path,
      license: stored.license,
      version: stored.version,
      anchor: stored.anchor,
      pageNumber: stored.page_number,
      headingPath: parseHeadingPath(stored.heading_path),
      lineStart: stored.line_start,
      lineEnd: stored.line_end,
    },
    ...(ranked.duplicates ? { duplicates: ranked.duplicates.map(duplicateLocation) } : {}),
    ordinal: stored.ordinal,
    contentHash: stored.content_hash,
    createdAt: new Date(stored.created_at).toISOString(),
    updatedAt: new Date(stored.updated_at).toISOString(),
  };
}

function duplicateLocation(row: Row): DuplicateLocation {
  const stored = storedChunkFromRow(row);
  return {
    chunkId: stored.chunk_id,
    documentId: stored.document_id,
    sourcePath: stored.source_path,
    anchor: stored.anchor,
    pageNumber: stored.page_number,
  };
}
