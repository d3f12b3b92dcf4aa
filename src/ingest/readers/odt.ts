// ODT reader: the OpenDocument zip's content.xml (jszip, linkedom) as plain HTML for the HTML sectioner.
import JSZip from 'jszip';
import { DOMParser } from 'linkedom';
import type { ReadInput, ReadOutcome } from '../document.js';
import { titleFromFileName } from '../document.js';
import { htmlToSections } from './html-sections.js';

/**
 * Why glue and not a library: mammoth reads DOCX only, and the npm ODT readers either convert whole office
 * suites (officeparser) or are unmaintained. An ODT's text is one XML file with a small vocabulary
 * (ISO/IEC 26300): headings carry their outline level, so sections come out as they do for DOCX.
 * Elements are matched by their conventional prefixes (`text:`, `table:`), which every ODF writer uses.
 */
export async function readOdt(input: ReadInput): Promise<ReadOutcome> {
  let content: string;
  let meta: string | undefined;
  let mimetype: string | undefined;
  try {
    const zip = await JSZip.loadAsync(input.bytes);
    mimetype = (await zip.file('mimetype')?.async('string'))?.trim();
    const entry = zip.file('content.xml');
    if (!entry) throw new Error('it has no content.xml');
    content = await entry.async('string');
    meta = await zip.file('meta.xml')?.async('string');
  } catch (error) {
    throw new Error(`not a readable ODT file (${String((error as Error).message ?? error).slice(0, 200)})`);
  }
  if (mimetype !== undefined && mimetype !== 'application/vnd.oasis.opendocument.text') {
    throw new Error(
      `not an OpenDocument text file: its mimetype is ${JSON.stringify(mimetype.slice(0, 80))}`,
    );
  }
  const body = parseXml(content).getElementsByTagName('office:text')[0];
  if (!body) throw new Error('not a readable ODT file (content.xml has no office:text body)');
  const html = childrenToHtml(body as unknown as XmlNode);
  const { title, sections } = htmlToSections(`<!doctype html><html><body>${html}</body></html>`);
  const metaTitle = meta
    ? parseXml(meta).getElementsByTagName('dc:title')[0]?.textContent?.trim() || undefined
    : undefined;
  return {
    document: {
      title: metaTitle ?? title ?? titleFromFileName(input.fileName),
      format: 'odt',
      metadata: {},
      sections,
    },
  };
}

interface XmlNode {
  nodeType: number;
  nodeName: string;
  data?: string;
  childNodes: ArrayLike<XmlNode>;
  getAttribute?(name: string): string | null;
}

function parseXml(xml: string) {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

/** ODF element → HTML tag; elements not listed are transparent (their children are kept). */
const BLOCKS: Record<string, string> = {
  'text:p': 'p',
  'text:list': 'ul',
  'text:list-item': 'li',
  'text:list-header': 'li',
  'table:table': 'table',
  'table:table-row': 'tr',
  'table:table-cell': 'td',
  'table:covered-table-cell': 'td',
};

/** Not document text: comments, deleted text kept for change tracking, declarations, drawing metadata. */
const DROPPED = new Set([
  'office:annotation',
  'office:annotation-end',
  'text:tracked-changes',
  'text:sequence-decls',
  'text:variable-decls',
  'text:user-field-decls',
  'text:note-citation',
  'table:table-columns',
  'table:table-column',
  'svg:title',
  'svg:desc',
]);

function childrenToHtml(node: XmlNode): string {
  let html = '';
  for (const child of Array.from(node.childNodes)) html += nodeToHtml(child);
  return html;
}

function nodeToHtml(node: XmlNode): string {
  if (node.nodeType === 3) return escapeHtml(node.data ?? '');
  if (node.nodeType !== 1) return '';
  const name = node.nodeName;
  if (DROPPED.has(name)) return '';
  if (name === 'text:s') return ' '.repeat(Math.max(1, Number(node.getAttribute?.('text:c') ?? 1) || 1));
  if (name === 'text:tab') return '\t';
  if (name === 'text:line-break') return '<br>';
  // A footnote's paragraphs sit inside the paragraph that cites it; inline, in brackets, it stays one paragraph.
  if (name === 'text:note') return ` (${escapeHtml(plainText(node).trim())})`;
  if (name === 'text:h') {
    const level = Math.min(6, Math.max(1, Number(node.getAttribute?.('text:outline-level') ?? 1) || 1));
    return `<h${level}>${childrenToHtml(node)}</h${level}>`;
  }
  const tag = BLOCKS[name];
  return tag ? `<${tag}>${childrenToHtml(node)}</${tag}>` : childrenToHtml(node);
}

function plainText(node: XmlNode): string {
  if (node.nodeType === 3) return node.data ?? '';
  if (node.nodeType !== 1 || DROPPED.has(node.nodeName)) return '';
  let text = '';
  for (const child of Array.from(node.childNodes))
    text += `${plainText(child)}${child.nodeName === 'text:p' ? ' ' : ''}`;
  return text;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
