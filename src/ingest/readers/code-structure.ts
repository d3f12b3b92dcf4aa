// Top-level definitions of source code, found with tree-sitter grammars compiled to WASM (no native build).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TextBlock } from '../document.js';

/** Extension → grammar file in @vscode/tree-sitter-wasm (the grammars VS Code ships). */
const GRAMMARS: Record<string, string> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  cs: 'c-sharp',
  c: 'cpp',
  h: 'cpp',
  cc: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
  rb: 'ruby',
  php: 'php',
  sh: 'bash',
  bash: 'bash',
  css: 'css',
};

interface SyntaxNode {
  type: string;
  startPosition: { row: number };
  endPosition: { row: number };
  children: SyntaxNode[];
}
interface TreeSitter {
  Parser: {
    init(): Promise<void>;
    new (): {
      setLanguage(l: unknown): void;
      parse(text: string): { rootNode: SyntaxNode; delete(): void } | null;
      delete(): void;
    };
  };
  Language: { load(bytes: Uint8Array): Promise<unknown> };
}

let runtime: Promise<{ ts: TreeSitter; dir: string }> | undefined;
const languages = new Map<string, Promise<unknown>>();

/** The runtime and grammars load on the first source file only (a few hundred ms), from the package's files. */
function loadRuntime(): Promise<{ ts: TreeSitter; dir: string }> {
  runtime ??= (async () => {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@vscode/tree-sitter-wasm');
    const ts = require(main) as TreeSitter;
    await ts.Parser.init();
    return { ts, dir: dirname(main) };
  })();
  return runtime;
}

export function hasGrammar(extension: string): boolean {
  return extension in GRAMMARS;
}

/** Comments and imports glue to the definition that follows them; a run of them alone is one block. */
const LEADING = /comment|import|package|using|use_declaration|preproc_include|decorator|attribute/;

/**
 * One block per top-level syntax node (function, class, statement…), each with the comments, imports and
 * decorators just above it, so a definition is kept whole when it fits a chunk and the packer fills chunks
 * with whole neighbours. Returns undefined when no grammar applies or parsing fails (the caller falls back).
 */
export async function topLevelBlocks(text: string, extension: string): Promise<TextBlock[] | undefined> {
  const grammar = GRAMMARS[extension];
  if (!grammar) return undefined;
  try {
    const { ts, dir } = await loadRuntime();
    let language = languages.get(grammar);
    if (!language) {
      language = readFile(join(dir, `tree-sitter-${grammar}.wasm`)).then((bytes) => ts.Language.load(bytes));
      languages.set(grammar, language);
    }
    const parser = new ts.Parser();
    try {
      parser.setLanguage(await language);
      const tree = parser.parse(text);
      if (!tree) return undefined;
      try {
        return blocksOf(tree.rootNode, text.split('\n'));
      } finally {
        tree.delete();
      }
    } finally {
      parser.delete();
    }
  } catch {
    return undefined;
  }
}

function blocksOf(root: SyntaxNode, lines: string[]): TextBlock[] {
  const blocks: TextBlock[] = [];
  let pendingStart: number | undefined;
  for (const node of root.children) {
    const start = node.startPosition.row;
    const end = node.endPosition.row;
    if (LEADING.test(node.type)) {
      pendingStart ??= start;
      continue;
    }
    const from = pendingStart ?? start;
    pendingStart = undefined;
    const previous = blocks[blocks.length - 1];
    // Two nodes on one line (`}` `;`) belong to the same block.
    if (previous && from + 1 <= previous.lineEnd) {
      previous.lineEnd = Math.max(previous.lineEnd, end + 1);
      previous.text = lines.slice(previous.lineStart - 1, previous.lineEnd).join('\n');
      continue;
    }
    blocks.push({
      text: lines.slice(from, end + 1).join('\n'),
      lineStart: from + 1,
      lineEnd: end + 1,
      atomic: true,
    });
  }
  if (pendingStart !== undefined) {
    const end = root.children[root.children.length - 1]!.endPosition.row;
    blocks.push({
      text: lines.slice(pendingStart, end + 1).join('\n'),
      lineStart: pendingStart + 1,
      lineEnd: end + 1,
      atomic: true,
    });
  }
  return blocks.filter((b) => b.text.trim() !== '');
}
