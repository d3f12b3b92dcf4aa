// The format registry: file extension → reader. A new format is one reader file and one line here.
import type { Reader } from '../document.js';
import { readDocx } from './docx.js';
import { readHtml } from './html.js';
import { readMarkdown } from './markdown.js';
import { readOdt } from './odt.js';
import { readPdf } from './pdf.js';
import { readPlainText } from './plain-text.js';
import { CODE_LANGUAGES, readSourceCode } from './source-code.js';
import { readStructuredData } from './structured-data.js';

const READERS = new Map<string, Reader>([
  ['md', readMarkdown],
  ['markdown', readMarkdown],
  ['mdx', readMarkdown],
  ['txt', readPlainText],
  ['text', readPlainText],
  ['rst', readPlainText],
  ['html', readHtml],
  ['htm', readHtml],
  ['xhtml', readHtml],
  ['pdf', readPdf],
  ['docx', readDocx],
  ['odt', readOdt],
  ['json', readStructuredData],
  ['jsonl', readStructuredData],
  ['ndjson', readStructuredData],
  ['yaml', readStructuredData],
  ['yml', readStructuredData],
  ['csv', readStructuredData],
  ['tsv', readStructuredData],
  ...Object.keys(CODE_LANGUAGES).map((ext): [string, Reader] => [ext, readSourceCode]),
]);

/** Files without an extension that are text by convention. */
const KNOWN_NAMES = new Map<string, Reader>([
  ['readme', readPlainText],
  ['license', readPlainText],
  ['changelog', readPlainText],
  ['makefile', readSourceCode],
  ['dockerfile', readSourceCode],
]);

/** The reader for a file name, or undefined for a format no reader knows (reported as skipped). */
export function readerFor(fileName: string): { reader: Reader; extension: string } | undefined {
  const lower = fileName.toLowerCase();
  const dot = lower.lastIndexOf('.');
  const extension = dot > 0 ? lower.slice(dot + 1) : '';
  const reader = READERS.get(extension) ?? (dot > 0 ? undefined : KNOWN_NAMES.get(lower));
  return reader ? { reader, extension: extension || lower } : undefined;
}

export const SUPPORTED_EXTENSIONS: readonly string[] = [...READERS.keys()].sort();
