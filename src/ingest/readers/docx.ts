// DOCX reader: mammoth turns Word styles (Heading 1…) into HTML, which the HTML sectioner reads.
import mammoth from 'mammoth';
import type { ReadInput, ReadOutcome } from '../document.js';
import { titleFromFileName } from '../document.js';
import { htmlToSections } from './html-sections.js';

/** Why mammoth: it maps Word paragraph styles to semantic HTML (headings, lists, tables) and ignores layout. */
export async function readDocx(input: ReadInput): Promise<ReadOutcome> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: input.bytes })).value;
  } catch (error) {
    throw new Error(`not a readable DOCX file (${String((error as Error).message ?? error).slice(0, 200)})`);
  }
  const { title, sections } = htmlToSections(`<!doctype html><html><body>${html}</body></html>`);
  return {
    document: { title: title ?? titleFromFileName(input.fileName), format: 'docx', metadata: {}, sections },
  };
}
