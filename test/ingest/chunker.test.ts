// The chunker: token bounds, overlap, code blocks kept whole, heading-only sections carried, line ranges.
import { describe, expect, it } from 'vitest';
import { toChunkInputs } from '../../src/ingest/chunk-records.js';
import { chunkDocument } from '../../src/ingest/chunker.js';
import type { SourceDocument } from '../../src/ingest/document.js';
import { readMarkdown } from '../../src/ingest/readers/markdown.js';
import { estimateTokens } from '../../src/ingest/tokens.js';

function markdown(text: string): SourceDocument {
  const outcome = readMarkdown({ bytes: Buffer.from(text), fileName: 'doc.md', extension: 'md' });
  if ('skipped' in outcome) throw new Error(outcome.skipped);
  return outcome.document;
}

const sentence = (i: number) => `Sentence number ${i} talks about topic ${i} in a few words.`;

describe('chunkDocument', () => {
  it('keeps every chunk within the token budget and the chunks in source order with their line ranges', () => {
    const paragraphs = Array.from({ length: 60 }, (_, i) => sentence(i));
    const source = `# Title\n\n${paragraphs.join('\n\n')}\n`;
    const lines = source.split('\n');
    const chunks = chunkDocument(markdown(source), { maxTokens: 60, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(60);
      // The chunk's text is the source between its lines (blank lines between paragraphs kept as one).
      expect(chunk.text).toBe(lines.slice(chunk.lineStart - 1, chunk.lineEnd).join('\n'));
    }
    expect(chunks.map((c) => c.lineStart)).toEqual([...chunks.map((c) => c.lineStart)].sort((a, b) => a - b));
    expect(chunks.map((c) => c.text).join('\n\n')).toBe(source.trim());
  });

  it('repeats the end of a chunk at the start of the next (overlap), without ever repeating a whole chunk', () => {
    const source = `# T\n\n${Array.from({ length: 30 }, (_, i) => sentence(i)).join('\n\n')}\n`;
    const chunks = chunkDocument(markdown(source), { maxTokens: 60, overlapTokens: 20 });
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = chunks[i - 1]!.text.split('\n\n').pop()!;
      expect(chunks[i]!.text.startsWith(previousLast)).toBe(true);
      expect(chunks[i]!.lineEnd).toBeGreaterThan(chunks[i - 1]!.lineEnd);
    }
  });

  it('never splits a code block that fits in a chunk, even when the greedy fill would cross it', () => {
    const code = [
      '```js',
      ...Array.from({ length: 8 }, (_, i) => `const value${i} = compute(${i});`),
      '```',
    ].join('\n');
    const source = `# T\n\n${sentence(1)}\n\n${sentence(2)}\n\n${code}\n\n${sentence(3)}\n`;
    const chunks = chunkDocument(markdown(source), { maxTokens: 100, overlapTokens: 0 });
    const holders = chunks.filter((c) => c.text.includes('const value'));
    expect(holders).toHaveLength(1);
    expect(holders[0]!.text).toContain(code);
  });

  it('splits a block larger than a chunk at line ends, and an over-long line at spaces', () => {
    const table = [
      '| a | b |',
      '| - | - |',
      ...Array.from({ length: 40 }, (_, i) => `| row ${i} | value ${i} |`),
    ].join('\n');
    const chunks = chunkDocument(markdown(`# T\n\n${table}\n`), { maxTokens: 50, overlapTokens: 0 });
    for (const chunk of chunks)
      for (const line of chunk.text.split('\n')) expect(line).toMatch(/^(# T|\|.*\|)$|^$/);
    const long = chunkDocument(markdown(`${'word '.repeat(500)}\n`), { maxTokens: 50, overlapTokens: 0 });
    expect(long.length).toBeGreaterThan(5);
    for (const chunk of long) expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(50);
  });

  it('starts a chunk at every heading; a heading with no text of its own joins its first subsection', () => {
    const chunks = chunkDocument(markdown('# Guide\n\n## Install\n\nRun it.\n\n## Use\n\nCall it.\n'), {
      maxTokens: 300,
      overlapTokens: 0,
    });
    expect(chunks.map((c) => [c.text, c.headingPath, c.anchor])).toEqual([
      ['# Guide\n\n## Install\n\nRun it.', ['Guide', 'Install'], '#install'],
      ['## Use\n\nCall it.', ['Guide', 'Use'], '#use'],
    ]);
  });
});

describe('toChunkInputs', () => {
  const identity = { documentId: 'docs/guide.md', sourcePath: '/x/docs/guide.md', version: 'sha256:1' };

  it('gives unchanged text the same id after an edit elsewhere, and records heading path, lines, ordinal', () => {
    const before = markdown('# A\n\nFirst part.\n\n# B\n\nSecond part.\n');
    const after = markdown('# A\n\nFirst part, edited.\n\n# B\n\nSecond part.\n');
    const opts = { maxTokens: 300, overlapTokens: 0 };
    const one = toChunkInputs(before, chunkDocument(before, opts), identity);
    const two = toChunkInputs(after, chunkDocument(after, opts), identity);
    expect(two[1]!.chunkId).toBe(one[1]!.chunkId);
    expect(two[0]!.chunkId).not.toBe(one[0]!.chunkId);
    expect(one[1]).toMatchObject({
      documentId: 'docs/guide.md',
      content: '# B\n\nSecond part.',
      title: 'A',
      anchor: '#b',
      version: 'sha256:1',
      sourcePath: '/x/docs/guide.md',
      metadata: { heading_path: ['B'], line_start: 5, line_end: 7, ordinal: 1, format: 'markdown' },
      ordinal: 1,
      headingPath: ['B'],
      lineStart: 5,
      lineEnd: 7,
    });
  });

  it('embeds a contextual header (title › heading path) while content stays the source text', () => {
    const doc = markdown('# Manual\n\n## Setup\n\nSteps here.\n');
    const [chunk] = toChunkInputs(doc, chunkDocument(doc, { maxTokens: 300, overlapTokens: 0 }), identity);
    expect(chunk!.content).toBe('# Manual\n\n## Setup\n\nSteps here.');
    expect(chunk!.embeddingText).toBe('Manual › Setup\n\n# Manual\n\n## Setup\n\nSteps here.');
  });

  it('makes ids of repeated identical chunks distinct', () => {
    const doc = markdown('# A\n\nSame.\n\n# A\n\nSame.\n');
    const chunks = toChunkInputs(doc, chunkDocument(doc, { maxTokens: 300, overlapTokens: 0 }), identity);
    expect(new Set(chunks.map((c) => c.chunkId)).size).toBe(chunks.length);
  });
});
