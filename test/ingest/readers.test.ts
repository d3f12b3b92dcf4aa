// Every format reader on real files: sections, heading paths, anchors, pages, titles, skip reasons.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadOutcome, SourceDocument } from '../../src/ingest/document.js';
import { readerFor } from '../../src/ingest/readers/index.js';
import { REPO_ROOT } from '../helpers/built-server.js';
import { docsFolder, makeImageOnlyPdf, makePdf } from '../helpers/document-files.js';
import { makeOdt } from '../helpers/odt-file.js';

async function read(fileName: string, content: string | Buffer): Promise<ReadOutcome> {
  const format = readerFor(fileName);
  if (!format) throw new Error(`no reader for ${fileName}`);
  return format.reader({ bytes: Buffer.from(content), fileName, extension: format.extension });
}

async function document(fileName: string, content: string | Buffer): Promise<SourceDocument> {
  const outcome = await read(fileName, content);
  if ('skipped' in outcome) throw new Error(`skipped: ${outcome.skipped}`);
  return outcome.document;
}

const texts = (doc: SourceDocument) => doc.sections.map((s) => s.blocks.map((b) => b.text).join('\n'));

describe('format readers', () => {
  it('markdown: front matter → metadata, headings → sections with slug anchors, code blocks atomic', async () => {
    const files = await docsFolder();
    const doc = await document('guide.md', files['guide.md']!);
    expect(doc.title).toBe('User Guide');
    expect(doc.metadata).toMatchObject({ title: 'User Guide', tags: ['setup'] });
    expect(doc.sections.map((s) => s.headingPath)).toEqual([
      ['User Guide'],
      ['User Guide', 'Installation'],
      ['User Guide', 'Usage'],
    ]);
    expect(doc.sections.map((s) => s.anchor)).toEqual(['#user-guide', '#installation', '#usage']);
    const install = doc.sections[1]!;
    // Line numbers count the front matter: "## Installation" is line 9 of the file.
    expect(install.blocks[0]).toMatchObject({ text: '## Installation', lineStart: 9, lineEnd: 9 });
    expect(install.blocks.find((b) => b.text.startsWith('```'))).toMatchObject({
      atomic: true,
      lineStart: 13,
      lineEnd: 15,
    });
  });

  it('markdown: a # inside a code fence is not a heading; repeated headings get distinct anchors', async () => {
    const doc = await document('a.mdx', '# A\n\n```\n# not a heading\n```\n\n## Same\n\nx\n\n## Same\n\ny\n');
    expect(doc.format).toBe('mdx');
    expect(doc.sections.map((s) => s.anchor)).toEqual(['#a', '#same', '#same-1']);
  });

  it('reStructuredText: underlined titles are sections; plain text is paragraphs', async () => {
    const files = await docsFolder();
    const rst = await document('spec.rst', files['notes/spec.rst']!);
    expect(rst.title).toBe('Spec');
    expect(rst.sections.map((s) => s.headingPath)).toEqual([['Spec'], ['Spec', 'Details']]);
    expect(rst.sections[1]!.anchor).toBe('#details');
    const txt = await document('readme.txt', files['notes/readme.txt']!);
    expect(txt.sections[0]!.blocks.map((b) => [b.text, b.lineStart])).toEqual([
      ['Plain notes.', 1],
      ['The wombat line is here.', 3],
    ]);
  });

  it('HTML: main content only, <title> as title, heading ids as anchors, table rows whole', async () => {
    const files = await docsFolder();
    const doc = await document('index.html', files['site/index.html']!);
    expect(doc.title).toBe('Site Home');
    expect(doc.sections.map((s) => [s.headingPath, s.anchor])).toEqual([
      [['Home'], '#home'],
      [['Home', 'Questions'], '#faq'],
    ]);
    const all = texts(doc).join('\n');
    expect(all).toContain('pangolin');
    expect(all).not.toMatch(/navmenu|footertext|\.x\{\}/);
    const table = await document(
      't.html',
      '<body><h1>T</h1><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table></body>',
    );
    expect(texts(table)[0]).toContain('a | b\nc | d');
  });

  it('PDF: one section per page with its number, metadata title', async () => {
    const doc = await document(
      'm.pdf',
      await makePdf([['Intro on page one.'], ['The narwhal on page two.']], 'The Manual'),
    );
    expect(doc.title).toBe('The Manual');
    expect(doc.sections.map((s) => [s.pageNumber, s.anchor])).toEqual([
      [1, '#page=1'],
      [2, '#page=2'],
    ]);
    expect(texts(doc)[1]).toContain('narwhal');
  });

  it('PDF: encrypted and image-only files are skipped with the reason; a truncated one throws', async () => {
    const encrypted = readFileSync(join(REPO_ROOT, 'test/fixtures/ingest/encrypted.pdf'));
    expect(await read('e.pdf', encrypted)).toEqual({ skipped: expect.stringMatching(/encrypted/) });
    expect(await read('scan.pdf', await makeImageOnlyPdf())).toEqual({
      skipped: expect.stringMatching(/no text layer/),
    });
    const whole = await makePdf([['Some text.']]);
    await expect(read('cut.pdf', whole.subarray(0, 200))).rejects.toThrow(/PDF/);
  });

  it('DOCX: Word heading styles become sections; a broken zip throws', async () => {
    const files = await docsFolder();
    const doc = await document('report.docx', files['report.docx']!);
    expect(doc.title).toBe('Quarterly Report');
    expect(doc.sections.map((s) => s.headingPath)).toEqual([
      ['Quarterly Report'],
      ['Quarterly Report', 'Findings'],
    ]);
    expect(texts(doc)[1]).toContain('axolotl');
    await expect(read('broken.docx', Buffer.from('PK\u0003\u0004 not really a zip'))).rejects.toThrow(/DOCX/);
  });

  it('ODT: outline levels become sections; lists, tables, spaces kept; comments and deletions dropped', async () => {
    const odt = await makeOdt(
      '<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>' +
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>removed words</text:p>' +
        '</text:deletion></text:changed-region></text:tracked-changes>' +
        '<text:h text:outline-level="1">Field <text:span>Guide</text:span></text:h>' +
        '<text:p>Intro<text:s text:c="2"/>text &amp; more<office:annotation><text:p>a reviewer note</text:p></office:annotation>.</text:p>' +
        '<text:h text:outline-level="2">Mammals</text:h>' +
        '<text:p>The capybara section<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>' +
        '<text:note-body><text:p>footnote about rodents</text:p></text:note-body></text:note>.</text:p>' +
        '<text:list><text:list-item><text:p>first item</text:p></text:list-item><text:list-item><text:p>second item</text:p></text:list-item></text:list>' +
        '<text:h text:outline-level="3">Teeth</text:h>' +
        '<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>' +
        '<table:table-row><table:table-cell><text:p>incisors</text:p></table:table-cell><table:table-cell><text:p>grow</text:p></table:table-cell></table:table-row>' +
        '</table:table>' +
        '<text:h text:outline-level="2">Birds</text:h><text:p>The kea<text:tab/>line<text:line-break/>next line</text:p>',
    );
    const doc = await document('guide.odt', odt);
    expect(doc.format).toBe('odt');
    expect(doc.title).toBe('Field Guide');
    expect(doc.sections.map((s) => s.headingPath)).toEqual([
      ['Field Guide'],
      ['Field Guide', 'Mammals'],
      ['Field Guide', 'Mammals', 'Teeth'],
      ['Field Guide', 'Birds'],
    ]);
    expect(doc.sections.map((s) => s.anchor)).toEqual(['#field-guide', '#mammals', '#teeth', '#birds']);
    const all = texts(doc);
    // HTML whitespace rules apply: text:s (spaces) and text:tab become one space between words.
    expect(all[0]).toContain('Intro text & more.');
    expect(all[1]).toContain('The capybara section (footnote about rodents).');
    expect(all[1]).toMatch(/first item[\s\S]*second item/);
    expect(all[2]).toMatch(/incisors[\s\S]*grow/);
    expect(all[3]).toMatch(/The kea\s+line\s+next line/);
    expect(all.join('\n')).not.toMatch(/removed words|reviewer note|Table/);
  });

  it('ODT: the meta title wins; broken zips, missing content and other ODF types are errors', async () => {
    const titled = await makeOdt('<text:p>Just a paragraph.</text:p>', { title: 'Meeting Minutes' });
    expect((await document('m.odt', titled)).title).toBe('Meeting Minutes');
    expect((await document('plain-notes.odt', await makeOdt('<text:p>x</text:p>'))).title).toBe(
      'plain-notes',
    );
    await expect(read('broken.odt', Buffer.from('PK\u0003\u0004 not really a zip'))).rejects.toThrow(
      /not a readable ODT file/,
    );
    await expect(read('empty.odt', await makeOdt('', { withoutContent: true }))).rejects.toThrow(
      /no content\.xml/,
    );
    const sheet = await makeOdt('<text:p>x</text:p>', {
      mimetype: 'application/vnd.oasis.opendocument.spreadsheet',
    });
    await expect(read('sheet.odt', sheet)).rejects.toThrow(/not an OpenDocument text file/);
  });

  it('source code: one block per top-level definition (tree-sitter), with the imports and comments above it', async () => {
    const files = await docsFolder();
    const doc = await document('tool.py', files['src/tool.py']!);
    expect(doc.language).toBe('python');
    expect(doc.sections[0]!.blocks.map((b) => [b.lineStart, b.lineEnd])).toEqual([
      [1, 5],
      [8, 9],
    ]);
    const ts = await document(
      'a.ts',
      "import x from 'y';\n\n/** Doc. */\nexport function a(): number {\n  // blank line inside:\n\n  return 1;\n}\n\nclass B {}\n",
    );
    expect(ts.language).toBe('typescript');
    expect(ts.sections[0]!.blocks.map((b) => [b.lineStart, b.lineEnd])).toEqual([
      [1, 8],
      [10, 10],
    ]);
    // No grammar for Lua: blank-line blocks that start at column 0.
    const lua = await document('m.lua', 'local a = 1\n\nfunction f()\n\n  return a\nend\n');
    expect(lua.sections[0]!.blocks.map((b) => [b.lineStart, b.lineEnd])).toEqual([
      [1, 1],
      [3, 6],
    ]);
  });

  it('CSV, YAML and JSON: one atomic block per record; CSV chunks know their header', async () => {
    const files = await docsFolder();
    const csv = await document('items.csv', files['data/items.csv']!);
    expect(csv.sections[0]!.blocks.map((b) => b.text)).toEqual(['name,kind', 'ibex,goat', 'yak,bovine']);
    expect(csv.contextLine).toBe('columns: name,kind');
    const yaml = await document('c.yaml', files['data/config.yaml']!);
    expect(yaml.sections[0]!.blocks.map((b) => b.text)).toEqual(['server:\n  port: 80', 'animal: tapir']);
    const json = await document('l.json', files['data/list.json']!);
    expect(json.sections[0]!.blocks.map((b) => b.text)).toEqual([
      '[',
      '  {"name": "dugong"},',
      '  {"name": "manatee"}\n]',
    ]);
  });

  it('text encodings: Latin-1 is converted, UTF-16 with a BOM is read, binary is skipped', async () => {
    const latin1 = Buffer.from(
      'Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade, \xe0 la carte. '.repeat(8),
      'latin1',
    );
    expect(texts(await document('menu.txt', latin1))[0]).toContain('Café crème brûlée');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Title\n\nHello', 'utf16le')]);
    expect((await document('u.md', utf16)).title).toBe('Title');
    expect(await read('bin.txt', Buffer.from([0x41, 0x00, 0x42, 0x00, 0x01]))).toEqual({
      skipped: expect.stringMatching(/binary/),
    });
  });

  it('unknown formats have no reader', () => {
    expect(readerFor('photo.png')).toBeUndefined();
    expect(readerFor('archive.zip')).toBeUndefined();
    expect(readerFor('README')?.extension).toBe('readme');
  });
});
