// Source code reader: blocks at blank lines that start at column 0 (top-level definitions); metadata.language.
import type { ReadInput, ReadOutcome, TextBlock } from '../document.js';
import { decodeText } from '../text-decoding.js';
import { topLevelBlocks } from './code-structure.js';

/** Extension → language name (metadata.language). */
export const CODE_LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  kt: 'kotlin',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
  swift: 'swift',
  scala: 'scala',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  sql: 'sql',
  lua: 'lua',
  r: 'r',
  pl: 'perl',
  css: 'css',
  scss: 'scss',
  vue: 'vue',
  svelte: 'svelte',
  ex: 'elixir',
  exs: 'elixir',
  hs: 'haskell',
  dart: 'dart',
  toml: 'toml',
  ini: 'ini',
  xml: 'xml',
  proto: 'protobuf',
  tf: 'terraform',
  gradle: 'groovy',
};

/**
 * Blocks are top-level definitions from a tree-sitter grammar where one ships for the language (TypeScript,
 * JavaScript, Python, Go, Rust, Java, C#, C/C++, Ruby, PHP, Bash, CSS); elsewhere, or if parsing fails, blank-line
 * blocks. Chunks of code are cited by line range (`#L10-L42`).
 */
export async function readSourceCode(input: ReadInput): Promise<ReadOutcome> {
  const decoded = decodeText(input.bytes);
  if ('skipped' in decoded) return decoded;
  const text = decoded.text.replace(/\r\n/g, '\n');
  const blocks = (await topLevelBlocks(text, input.extension)) ?? blankLineBlocks(text.split('\n'));
  const language = CODE_LANGUAGES[input.extension] ?? input.extension;
  return {
    document: {
      title: input.fileName,
      format: 'code',
      language,
      metadata: {},
      lineAnchors: true,
      sections: [{ headingPath: [], anchor: null, pageNumber: null, blocks }],
    },
  };
}

/**
 * Splits where a blank line is followed by a line at column 0 — in most languages that is where a top-level
 * definition (function, class, type) starts — so a definition and its indented body stay one block.
 */
function blankLineBlocks(lines: string[]): TextBlock[] {
  const blocks: TextBlock[] = [];
  let start = -1;
  let lastText = -1;
  const flush = () => {
    if (start >= 0 && lastText >= start) {
      blocks.push({
        text: lines.slice(start, lastText + 1).join('\n'),
        lineStart: start + 1,
        lineEnd: lastText + 1,
        atomic: true,
      });
    }
    start = -1;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const topLevel = !/^\s/.test(line) && !/^[)}\]]/.test(line);
    if (start >= 0 && topLevel && lastText < i - 1) flush();
    if (start < 0) start = i;
    lastText = i;
  });
  flush();
  return blocks;
}
