// Plain text and reStructuredText reader: paragraphs by blank lines; RST section titles start sections.
import GithubSlugger from 'github-slugger';
import type { DocumentSection, ReadInput, ReadOutcome } from '../document.js';
import { paragraphBlocks, titleFromFileName } from '../document.js';
import { decodeText } from '../text-decoding.js';

/** An RST adornment line: one punctuation character repeated (at least 3). */
const ADORNMENT = /^([=\-`:'"~^_*+#<>.])\1{2,}\s*$/;

export function readPlainText(input: ReadInput): ReadOutcome {
  const decoded = decodeText(input.bytes);
  if ('skipped' in decoded) return decoded;
  const lines = decoded.text.split(/\r?\n/);
  if (input.extension === 'rst') return { document: readRst(lines, input.fileName) };
  return {
    document: {
      title: titleFromFileName(input.fileName),
      format: 'text',
      metadata: {},
      sections: [{ headingPath: [], anchor: null, pageNumber: null, blocks: paragraphBlocks(lines, 1) }],
    },
  };
}

/**
 * RST titles are a text line underlined (optionally also overlined) by an adornment at least as long. The
 * heading level is the order in which adornment styles first appear, as docutils defines it.
 */
function readRst(lines: string[], fileName: string) {
  const styles: string[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  const slugger = new GithubSlugger();
  const sections: DocumentSection[] = [];
  let sectionStart = 0;
  let current: Omit<DocumentSection, 'blocks'> = { headingPath: [], anchor: null, pageNumber: null };
  let firstTitle: string | undefined;
  const close = (end: number) => {
    const blocks = paragraphBlocks(lines.slice(sectionStart, end), sectionStart + 1);
    if (blocks.length > 0) sections.push({ ...current, blocks });
  };
  for (let i = 0; i + 1 < lines.length; i++) {
    const text = lines[i]!.trim();
    const under = lines[i + 1]!;
    if (text === '' || ADORNMENT.test(text) || !ADORNMENT.test(under) || under.trim().length < text.length)
      continue;
    const over = i > 0 && ADORNMENT.test(lines[i - 1]!) && lines[i - 1]!.trim()[0] === under.trim()[0];
    const style = `${over ? 'o' : ''}${under.trim()[0]}`;
    if (!styles.includes(style)) styles.push(style);
    const level = styles.indexOf(style);
    const start = over ? i - 1 : i;
    close(start);
    while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
    stack.push({ level, text });
    firstTitle ??= text;
    current = { headingPath: stack.map((s) => s.text), anchor: `#${slugger.slug(text)}`, pageNumber: null };
    sectionStart = start;
    i++;
  }
  close(lines.length);
  return { title: firstTitle ?? titleFromFileName(fileName), format: 'rst', metadata: {}, sections };
}
