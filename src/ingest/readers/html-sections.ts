// HTML → sections: main content only, text without tags, headings (with their ids) start sections.
import GithubSlugger from 'github-slugger';
import { parseHTML } from 'linkedom';
import type { DocumentSection, TextBlock } from '../document.js';

/** Never content: scripts, styles, navigation and page chrome. */
const DROPPED =
  'script, style, noscript, template, svg, canvas, iframe, nav, header, footer, aside, form, button, select';
/** The first of these that exists is the main content; else <body>. */
const MAIN = ['main', '[role="main"]', 'article', '#content', '.content', 'body'];
const HEADING = /^H([1-6])$/;
/** Elements that end a line of text. */
const BLOCK = new Set([
  'P',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'LI',
  'UL',
  'OL',
  'DL',
  'DT',
  'DD',
  'BLOCKQUOTE',
  'TABLE',
  'THEAD',
  'TBODY',
  'TFOOT',
  'TR',
  'FIGURE',
  'FIGCAPTION',
  'BR',
  'HR',
  'ADDRESS',
  'DETAILS',
  'SUMMARY',
  'CAPTION',
]);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  getAttribute?(name: string): string | null;
}

export interface HtmlSections {
  title: string | undefined;
  sections: DocumentSection[];
}

export function htmlToSections(html: string): HtmlSections {
  const { document } = parseHTML(html);
  const pageTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  for (const element of [...document.querySelectorAll(DROPPED)]) element.remove();
  const root = (MAIN.map((s) => document.querySelector(s)).find((e) => e) ??
    document.documentElement) as unknown as DomNode;

  const slugger = new GithubSlugger();
  const sections: DocumentSection[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let current: DocumentSection = { headingPath: [], anchor: null, pageNumber: null, blocks: [] };
  let lineNo = 0;
  let inline = '';
  let firstHeading: string | undefined;
  /** Lines of the block being built (a paragraph, a pre, a table row…). */
  let pending: string[] = [];
  let pendingAtomic = false;

  const endLine = () => {
    const text = inline.replace(/\s+/g, ' ').trim();
    inline = '';
    if (text) pending.push(text);
  };
  const endBlock = () => {
    endLine();
    if (pending.length === 0) return;
    const block: TextBlock = {
      text: pending.join('\n'),
      lineStart: lineNo + 1,
      lineEnd: lineNo + pending.length,
    };
    if (pendingAtomic) block.atomic = true;
    lineNo += pending.length;
    current.blocks.push(block);
    pending = [];
    pendingAtomic = false;
  };

  const visit = (node: DomNode) => {
    if (node.nodeType === 3) {
      inline += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== 1) return;
    const name = node.nodeName.toUpperCase();
    const heading = HEADING.exec(name);
    if (heading) {
      endBlock();
      const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (!text) return;
      firstHeading ??= text;
      const level = Number(heading[1]);
      while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
      stack.push({ level, text });
      if (current.blocks.length > 0) sections.push(current);
      const id = node.getAttribute?.('id') ?? firstChildId(node);
      current = {
        headingPath: stack.map((h) => h.text),
        anchor: `#${id ?? slugger.slug(text)}`,
        pageNumber: null,
        blocks: [],
      };
      pending = [text];
      endBlock();
      return;
    }
    if (name === 'PRE') {
      endBlock();
      pending = (node.textContent ?? '').replace(/\n+$/, '').split('\n');
      pendingAtomic = true;
      endBlock();
      return;
    }
    if (name === 'TR') {
      // One table row is one line: cells joined, so a row is never split.
      endLine();
      const cells = [...(node.childNodes as DomNode[])].filter((c) => c.nodeType === 1);
      const row = cells.map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()).join(' | ');
      if (row.replace(/[|\s]/g, '')) pending.push(row);
      return;
    }
    const block = BLOCK.has(name);
    if (block && name !== 'TR' && name !== 'LI' && name !== 'BR' && name !== 'DT' && name !== 'DD')
      endBlock();
    else if (block) endLine();
    for (const child of Array.from(node.childNodes)) visit(child);
    if (
      block &&
      (name === 'P' ||
        name === 'TABLE' ||
        name === 'UL' ||
        name === 'OL' ||
        name === 'PRE' ||
        name === 'BLOCKQUOTE' ||
        name === 'DL')
    )
      endBlock();
    else if (block) endLine();
  };
  visit(root);
  endBlock();
  if (current.blocks.length > 0) sections.push(current);
  return { title: pageTitle ?? firstHeading, sections };
}

/** Markdown renderers often put the id on an <a> inside the heading. */
function firstChildId(node: DomNode): string | undefined {
  for (const child of Array.from(node.childNodes)) {
    const id = child.getAttribute?.('id') ?? child.getAttribute?.('name');
    if (id) return id;
  }
  return undefined;
}
