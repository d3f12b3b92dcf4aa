// PDF reader (pdf.js legacy build, text layer only): one section per page → citation.page_number.
import type { DocumentSection, ReadInput, ReadOutcome } from '../document.js';
import { paragraphBlocks, titleFromFileName } from '../document.js';

interface TextItem {
  str?: string;
  hasEOL?: boolean;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;

/** pdf.js is large; load it on the first PDF only. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

/**
 * Why pdf.js: Mozilla's reference parser, pure JavaScript (no native build), reads the text layer with line
 * ends. Encrypted files (a user password) and files without any text layer (scans) are skipped with the
 * reason; truncated or malformed files throw, and the caller reports them as failed.
 */
export async function readPdf(input: ReadInput): Promise<ReadOutcome> {
  const { getDocument, VerbosityLevel } = await loadPdfJs();
  const task = getDocument({
    data: new Uint8Array(input.bytes),
    // Errors only: pdf.js writes warnings with console.log, and stdout belongs to the MCP protocol.
    verbosity: VerbosityLevel.ERRORS,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
  });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException')
      return { skipped: 'encrypted PDF (needs a password); decrypt it first' };
    throw new Error(`not a readable PDF (${String((error as Error).message ?? error).slice(0, 200)})`);
  }
  try {
    const info = (await pdf.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const metaTitle = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : undefined;
    const sections: DocumentSection[] = [];
    let characters = 0;
    for (let page = 1; page <= pdf.numPages; page++) {
      const content = await (await pdf.getPage(page)).getTextContent();
      let text = '';
      for (const item of content.items as TextItem[]) {
        text += item.str ?? '';
        if (item.hasEOL) text += '\n';
      }
      characters += text.replace(/\s/g, '').length;
      const blocks = paragraphBlocks(text.split('\n'), 1);
      if (blocks.length > 0)
        sections.push({ headingPath: [], anchor: `#page=${page}`, pageNumber: page, blocks });
    }
    if (characters === 0) {
      return {
        skipped: `no text layer in ${pdf.numPages} page(s) (an image-only or scanned PDF); run OCR on it first`,
      };
    }
    return {
      document: {
        title: metaTitle ?? titleFromFileName(input.fileName),
        format: 'pdf',
        metadata: {},
        sections,
      },
    };
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}
