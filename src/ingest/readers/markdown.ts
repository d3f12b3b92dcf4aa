// Markdown / MDX reader: front matter → metadata, headings → sections (slug → anchor), code blocks atomic.
import GithubSlugger from 'github-slugger';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { toString } from 'mdast-util-to-string';
import type { DocumentSection, ReadInput, ReadOutcome, TextBlock } from '../document.js';
import { titleFromFileName } from '../document.js';
import { readFrontMatter } from '../front-matter.js';
import { decodeText } from '../text-decoding.js';

export function readMarkdown(input: ReadInput): ReadOutcome {
  const decoded = decodeText(input.bytes);
  if ('skipped' in decoded) return decoded;
  const lines = decoded.text.split(/\r?\n/);
  const front = readFrontMatter(lines);
  const body = lines.slice(front.lineCount);
  // Parsed by micromark (CommonMark): only real headings start sections, never a `#` inside a code block.
  const tree = fromMarkdown(body.join('\n'));
  const slugger = new GithubSlugger();
  const offset = front.lineCount;
  const sections: DocumentSection[] = [];
  let current: DocumentSection = { headingPath: [], anchor: null, pageNumber: null, blocks: [] };
  const stack: Array<{ depth: number; text: string }> = [];
  let firstHeading: string | undefined;
  for (const node of tree.children) {
    const start = node.position?.start.line;
    const end = node.position?.end.line;
    if (start === undefined || end === undefined) continue;
    const block: TextBlock = {
      text: body.slice(start - 1, end).join('\n'),
      lineStart: start + offset,
      lineEnd: end + offset,
      ...(node.type === 'code' || node.type === 'table' || node.type === 'html' ? { atomic: true } : {}),
    };
    if (node.type === 'heading') {
      const text = toString(node).trim() || `(heading at line ${start + offset})`;
      firstHeading ??= text;
      while (stack.length > 0 && stack[stack.length - 1]!.depth >= node.depth) stack.pop();
      stack.push({ depth: node.depth, text });
      if (current.blocks.length > 0) sections.push(current);
      current = {
        headingPath: stack.map((h) => h.text),
        anchor: `#${slugger.slug(text)}`,
        pageNumber: null,
        blocks: [block],
      };
      continue;
    }
    if (node.type === 'definition' && block.text.trim() === '') continue;
    current.blocks.push(block);
  }
  if (current.blocks.length > 0) sections.push(current);
  const fmTitle = typeof front.metadata.title === 'string' ? front.metadata.title : undefined;
  return {
    document: {
      title: fmTitle ?? firstHeading ?? titleFromFileName(input.fileName),
      format: input.extension === 'mdx' ? 'mdx' : 'markdown',
      metadata: front.metadata,
      sections,
    },
  };
}
