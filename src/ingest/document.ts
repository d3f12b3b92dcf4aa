// The one document shape every format reader returns; the chunker and the sync planner only see this.
import type { JsonValue } from '../engine/types.js';

/** A run of source lines the chunker keeps together when it can: a paragraph, a code block, a record. */
export interface TextBlock {
  text: string;
  /** 1-based, inclusive. For HTML, PDF and DOCX: lines of the extracted text (of the page, for PDF). */
  lineStart: number;
  lineEnd: number;
  /** Code blocks and records: split only when one alone is over the chunk size. */
  atomic?: boolean;
}

/** Text under one heading (or one PDF page): chunks never span two sections. */
export interface DocumentSection {
  /** Headings from the top down to this section's, e.g. ['fs', 'Promise API', 'fsPromises.watch']. */
  headingPath: string[];
  /** Citation anchor, e.g. '#promise-api' (heading slug or HTML id) or '#page=3'. */
  anchor: string | null;
  pageNumber: number | null;
  blocks: TextBlock[];
}

export interface SourceDocument {
  /** First heading, HTML <title>, PDF title, front matter title, else the file name. */
  title: string;
  /** Reader that produced it, e.g. 'markdown', 'pdf' (metadata.format). */
  format: string;
  /** Programming language of source code (metadata.language). */
  language?: string;
  /** Document-level metadata (Markdown front matter) copied to every chunk. */
  metadata: Record<string, JsonValue>;
  sections: DocumentSection[];
  /** Prefixed to every chunk's embedded text after the heading path, e.g. a CSV header row. */
  contextLine?: string;
  /** Cite chunks without a section anchor by their line range (`#L10-L42`), as code hosts link lines. */
  lineAnchors?: boolean;
}

/** What a reader gets: the file's bytes and its name (for the title fallback and the language). */
export interface ReadInput {
  bytes: Buffer;
  /** Base name, e.g. 'guide.md'. */
  fileName: string;
  /** Lower-case extension without the dot, e.g. 'md'. */
  extension: string;
}

/** A reader either returns a document or says why the file is not one (encrypted, image-only, empty…). */
export type ReadOutcome = { document: SourceDocument } | { skipped: string };

export type Reader = (input: ReadInput) => Promise<ReadOutcome> | ReadOutcome;

/** Splits text into blocks at blank lines; `firstLine` is the 1-based line number of text's first line. */
export function paragraphBlocks(lines: readonly string[], firstLine: number): TextBlock[] {
  const blocks: TextBlock[] = [];
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    blocks.push({
      text: lines.slice(start, end).join('\n'),
      lineStart: firstLine + start,
      lineEnd: firstLine + end - 1,
    });
    start = -1;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') flush(i);
    else if (start < 0) start = i;
  });
  flush(lines.length);
  return blocks;
}

/** The file name without its extension, as a last-resort title. */
export function titleFromFileName(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '') || fileName;
}
