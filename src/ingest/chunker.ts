// The chunker: packs a document's blocks into token-bounded chunks with overlap, one section at a time.
import type { SourceDocument, TextBlock } from './document.js';
import { estimateTokens, type TokenCounter } from './tokens.js';

export interface ChunkerOptions {
  /** Largest chunk, in tokens. @example 300 */
  maxTokens: number;
  /** Tokens of the previous chunk's end repeated at the start of the next (within a section). @example 40 */
  overlapTokens: number;
  /** Default: estimateTokens. */
  countTokens?: TokenCounter;
}

export const DEFAULT_CHUNK_TOKENS = 300;
export const DEFAULT_OVERLAP_TOKENS = 40;

/** A chunk before it gets ids and citations. */
export interface DraftChunk {
  text: string;
  headingPath: string[];
  anchor: string | null;
  pageNumber: number | null;
  lineStart: number;
  lineEnd: number;
}

interface Unit extends TextBlock {
  tokens: number;
}

/**
 * Sections are chunk boundaries: a chunk never mixes two headings' text, except that a heading with no text
 * of its own (a title right above its first subsection) is carried into the next section's first chunk.
 * Within a section blocks are packed greedily; a block larger than a chunk is cut at line ends (so a table
 * row or a code line is never cut), and a line larger than a chunk at spaces, then anywhere.
 */
export function chunkDocument(document: SourceDocument, options: ChunkerOptions): DraftChunk[] {
  const count = options.countTokens ?? estimateTokens;
  const max = Math.max(1, options.maxTokens);
  const overlap = Math.max(0, Math.min(options.overlapTokens, Math.floor(max / 2)));
  const chunks: DraftChunk[] = [];
  let carried: Unit[] = [];
  document.sections.forEach((section, index) => {
    const units = [...carried, ...section.blocks.flatMap((b) => splitBlock(b, max, count))];
    const next = document.sections[index + 1];
    const headingOnly = section.blocks.length === 1 && section.headingPath.length > 0;
    const total = units.reduce((sum, u) => sum + u.tokens, 0);
    if (headingOnly && next && next.headingPath.length > section.headingPath.length && total < max / 4) {
      carried = units;
      return;
    }
    carried = [];
    for (const group of pack(units, max, overlap)) {
      chunks.push({
        text: joinUnits(group),
        headingPath: section.headingPath,
        // The subsection's anchor: the chunk's text is mostly its own, and its heading path says so too.
        anchor: section.anchor,
        pageNumber: section.pageNumber,
        lineStart: group[0]!.lineStart,
        lineEnd: group[group.length - 1]!.lineEnd,
      });
    }
  });
  return chunks;
}

/** Greedy packing; each new chunk starts with the previous chunk's last units up to `overlap` tokens. */
function pack(units: Unit[], max: number, overlap: number): Unit[][] {
  const groups: Unit[][] = [];
  let start = 0;
  while (start < units.length) {
    let end = start;
    let tokens = 0;
    while (end < units.length && (end === start || tokens + units[end]!.tokens <= max))
      tokens += units[end++]!.tokens;
    groups.push(units.slice(start, end));
    if (end >= units.length) break;
    let next = end;
    let carriedTokens = 0;
    while (next - 1 > start && carriedTokens + units[next - 1]!.tokens <= overlap)
      carriedTokens += units[--next]!.tokens;
    // The overlap must leave room for new text, or the next chunk would repeat this one.
    start = carriedTokens + units[end]!.tokens <= max ? next : end;
  }
  return groups;
}

function splitBlock(block: TextBlock, max: number, count: TokenCounter): Unit[] {
  const tokens = count(block.text);
  if (tokens <= max) return [{ ...block, tokens }];
  const lines = block.text.split('\n');
  if (lines.length > 1) {
    // Line units, regrouped greedily so a long paragraph does not become one chunk per line.
    const lineUnits = lines.flatMap((line, i) =>
      splitBlock({ text: line, lineStart: block.lineStart + i, lineEnd: block.lineStart + i }, max, count),
    );
    return pack(lineUnits, max, 0).map((group) => ({
      text: joinUnits(group),
      lineStart: group[0]!.lineStart,
      lineEnd: group[group.length - 1]!.lineEnd,
      tokens: group.reduce((sum, u) => sum + u.tokens, 0),
    }));
  }
  return splitLine(block, max, count);
}

/** One line over the limit: cut at spaces where possible, else every max × 4 characters. */
function splitLine(block: TextBlock, max: number, count: TokenCounter): Unit[] {
  const units: Unit[] = [];
  const width = max * 4;
  let rest = block.text;
  while (rest.length > 0) {
    let cut = rest.length;
    if (count(rest) > max) {
      cut = Math.min(rest.length, width);
      const space = rest.lastIndexOf(' ', cut);
      if (space > width / 2) cut = space;
      while (cut > 1 && count(rest.slice(0, cut)) > max) cut = Math.floor(cut * 0.8);
    }
    const piece = rest.slice(0, cut);
    if (piece.trim())
      units.push({
        text: piece.trim(),
        lineStart: block.lineStart,
        lineEnd: block.lineEnd,
        tokens: count(piece),
      });
    rest = rest.slice(cut);
  }
  return units;
}

/** Units on consecutive lines join with a newline; a gap of blank lines becomes one blank line. */
function joinUnits(units: readonly TextBlock[]): string {
  let text = '';
  units.forEach((unit, i) => {
    if (i > 0) {
      const previous = units[i - 1]!;
      text +=
        unit.lineStart === previous.lineEnd ? ' ' : unit.lineStart > previous.lineEnd + 1 ? '\n\n' : '\n';
    }
    text += unit.text;
  });
  return text;
}
