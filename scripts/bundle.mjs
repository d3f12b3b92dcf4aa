// Builds the Claude Desktop bundle (rag-studio-mcp.mcpb) from the packed package: `npm run bundle [-- <out.mcpb>]`.
//
// The bundle holds what `npm pack` ships plus its production dependencies, installed from our lockfile, and a
// manifest made from bundle/manifest.json with this version, the server's tools and prompts, and this platform:
// LanceDB and ONNX Runtime are native, so a bundle runs on the OS and CPU it was built on (build one per platform).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(ROOT, 'rag-studio-mcp.mcpb'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const mcpbCli = join(ROOT, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');

/** Packages LanceDB lists as optional for its own embedding functions, which we do not use (about 330 MB). */
const UNUSED_LANCEDB_OPTIONALS = [
  '@huggingface',
  'onnxruntime-node',
  'onnxruntime-web',
  'openai',
  '@img',
  'sharp',
];

function run(command, args, cwd) {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    // onnxruntime-node's install script would download CUDA libraries; the CPU ones ship in the package.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
}

if (!existsSync(join(ROOT, 'dist', 'server', 'main.js'))) {
  throw new Error('dist/ is missing: run `npm run build` first (`npm run bundle` does)');
}
const work = mkdtempSync(join(tmpdir(), 'rag-studio-bundle-'));
try {
  // 1. Exactly the files `npm pack` ships, so the bundle and the npm package cannot drift apart.
  const tarball = run(npm, ['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop();
  run('tar', ['-xzf', join(work, tarball), '-C', work], ROOT);
  const stage = join(work, 'package');

  // 2. Production dependencies at the versions our lockfile pins; install scripts stay off (see package.json).
  cpSync(join(ROOT, 'package-lock.json'), join(stage, 'package-lock.json'));
  run(npm, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], stage);
  pruneForeignBinaries(stage);

  // 3. The manifest, validated by the official tool before packing.
  writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(await buildManifest(stage), null, 2)}\n`);
  run(process.execPath, [mcpbCli, 'validate', join(stage, 'manifest.json')], ROOT);
  mkdirSync(join(out, '..'), { recursive: true });
  run(process.execPath, [mcpbCli, 'pack', stage, out], ROOT);
  process.stdout.write(`bundle: ${out}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** ONNX Runtime ships every platform's libraries; a bundle runs on one, so keep only this platform's. */
function pruneForeignBinaries(stage) {
  const napi = join(stage, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
  for (const os of existsSync(napi) ? readdirSync(napi) : []) {
    for (const cpu of readdirSync(join(napi, os))) {
      if (os !== process.platform || cpu !== process.arch) rmSync(join(napi, os, cpu), { recursive: true });
    }
  }
  const nested = join(stage, 'node_modules', '@lancedb', 'lancedb', 'node_modules');
  for (const name of UNUSED_LANCEDB_OPTIONALS) rmSync(join(nested, name), { recursive: true, force: true });
}

async function buildManifest(stage) {
  const template = JSON.parse(readFileSync(join(ROOT, 'bundle', 'manifest.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'));
  const { TOOLS } = await import(pathToFileURL(join(stage, 'dist', 'tools', 'index.js')).href);
  const { PROMPTS } = await import(pathToFileURL(join(stage, 'dist', 'prompts', 'index.js')).href);
  return {
    ...template,
    version: pkg.version,
    tools: Object.values(TOOLS).map((tool) => ({
      name: tool.name,
      description: firstSentence(tool.description),
    })),
    prompts: Object.values(PROMPTS).map((prompt) => ({
      name: prompt.name,
      description: prompt.description,
      arguments: Object.keys(prompt.argsSchema),
      text: prompt.manifestText,
    })),
    compatibility: { ...template.compatibility, platforms: [process.platform] },
  };
}

function firstSentence(text) {
  const match = /^[^\n]*?[.!?](\s|$)/.exec(text);
  return (match ? match[0] : text.split('\n')[0]).trim();
}
