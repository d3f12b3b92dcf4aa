// Generates real documents of every format the ingester reads (PDF with pdf-lib, DOCX with docx) in a folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A PDF whose page i (1-based) shows pages[i-1] as lines of text; `title` goes into its metadata. */
export async function makePdf(pages: string[][], title?: string): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  if (title) pdf.setTitle(title);
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 18, size: 12, font }));
  }
  return Buffer.from(await pdf.save());
}

/** A PDF with one blank page and no text layer, as a scan without OCR would be. */
export async function makeImageOnlyPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawRectangle({ x: 50, y: 50, width: 200, height: 100 });
  return Buffer.from(await pdf.save());
}

/** A DOCX with Word heading styles: entries are ['h1' | 'h2' | 'p', text]. */
export async function makeDocx(content: Array<['h1' | 'h2' | 'p', string]>): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: content.map(([kind, text]) =>
          kind === 'p'
            ? new Paragraph({ text })
            : new Paragraph({
                text,
                heading: kind === 'h1' ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2,
              }),
        ),
      },
    ],
  });
  return Packer.toBuffer(doc);
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/** A small documentation folder: one file of each format, each with one unique word to search for. */
export async function docsFolder(): Promise<Record<string, string | Buffer>> {
  return {
    'guide.md':
      '---\ntitle: User Guide\ntags: [setup]\n---\n# User Guide\n\nWelcome.\n\n## Installation\n\n' +
      'Run the installer to get the aardvark toolkit.\n\n```sh\nnpm ci\n```\n\n## Usage\n\nThe command prints a report.\n',
    'notes/readme.txt': 'Plain notes.\n\nThe wombat line is here.\n',
    'notes/spec.rst': 'Spec\n====\n\nIntro.\n\nDetails\n-------\n\nThe quokka rule applies.\n',
    'site/index.html':
      '<html><head><title>Site Home</title><style>.x{}</style></head><body><nav>navmenu</nav><main>' +
      '<h1 id="home">Home</h1><p>Hi.</p><h2 id="faq">Questions</h2><p>The pangolin answer.</p></main>' +
      '<footer>footertext</footer></body></html>',
    'manual.pdf': await makePdf(
      [['First page intro text.'], ['Second page mentions the narwhal.']],
      'The Manual',
    ),
    'report.docx': await makeDocx([
      ['h1', 'Quarterly Report'],
      ['p', 'Summary text.'],
      ['h2', 'Findings'],
      ['p', 'The axolotl finding.'],
    ]),
    'src/tool.py':
      'import os\n\n\ndef okapi_helper():\n    return os.getcwd()\n\n\nclass Runner:\n    pass\n',
    'data/items.csv': 'name,kind\nibex,goat\nyak,bovine\n',
    'data/config.yaml': 'server:\n  port: 80\nanimal: tapir\n',
    'data/list.json': '[\n  {"name": "dugong"},\n  {"name": "manatee"}\n]\n',
  };
}
