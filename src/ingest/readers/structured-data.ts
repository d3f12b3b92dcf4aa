// JSON, JSON Lines, YAML and CSV/TSV reader: kept as source text, one block per record so records stay whole.
import type { ReadInput, ReadOutcome, TextBlock } from '../document.js';
import { titleFromFileName } from '../document.js';
import { decodeText } from '../text-decoding.js';

/**
 * Records: a line (CSV, TSV, JSON Lines); a top-level entry of a YAML mapping or list, or a YAML document;
 * a line at indentation ≤ 2 in pretty-printed JSON (the members of the top-level array or object). CSV and TSV
 * chunks get the header row in their embedded text, so every chunk says what its columns are.
 */
export function readStructuredData(input: ReadInput): ReadOutcome {
  const decoded = decodeText(input.bytes);
  if ('skipped' in decoded) return decoded;
  const lines = decoded.text.split(/\r?\n/);
  const ext = input.extension;
  const tabular = ext === 'csv' || ext === 'tsv';
  const startsRecord = (line: string, i: number): boolean => {
    if (tabular || ext === 'jsonl' || ext === 'ndjson') return true;
    if (ext === 'yaml' || ext === 'yml') return i === 0 || line === '---' || /^[^\s#]/.test(line);
    return /^\s{0,2}\S/.test(line) && !/^\s{0,2}[\]}],?\s*$/.test(line);
  };
  const blocks: TextBlock[] = [];
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    let last = end - 1;
    while (last > start && lines[last]!.trim() === '') last--;
    const text = lines.slice(start, last + 1).join('\n');
    if (text.trim()) blocks.push({ text, lineStart: start + 1, lineEnd: last + 1, atomic: true });
    start = -1;
  };
  lines.forEach((line, i) => {
    if (start >= 0 && startsRecord(line, i)) flush(i);
    if (start < 0 && line.trim() !== '') start = i;
  });
  flush(lines.length);
  const header = tabular ? lines[0]?.trim() : undefined;
  return {
    document: {
      title: titleFromFileName(input.fileName),
      format: ext === 'yml' ? 'yaml' : ext === 'ndjson' ? 'jsonl' : ext,
      metadata: {},
      sections: [{ headingPath: [], anchor: null, pageNumber: null, blocks }],
      ...(header ? { contextLine: `columns: ${header}` } : {}),
    },
  };
}
