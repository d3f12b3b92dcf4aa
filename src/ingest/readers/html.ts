// HTML reader: main content only (no nav/script/style), headings and their ids as anchors.
import type { ReadInput, ReadOutcome } from '../document.js';
import { titleFromFileName } from '../document.js';
import { decodeText } from '../text-decoding.js';
import { htmlToSections } from './html-sections.js';

export function readHtml(input: ReadInput): ReadOutcome {
  const decoded = decodeText(input.bytes);
  if ('skipped' in decoded) return decoded;
  const { title, sections } = htmlToSections(decoded.text);
  return {
    document: { title: title ?? titleFromFileName(input.fileName), format: 'html', metadata: {}, sections },
  };
}
