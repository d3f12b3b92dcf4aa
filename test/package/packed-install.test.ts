// `npm pack` → install the tarball into an empty folder → the installed bin and server work without dev dependencies.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBuiltServer, REPO_ROOT, requireBuild, run } from '../helpers/built-server.js';
import { connectHttpClient } from '../helpers/http-server.js';
import { rawGet, startStudioCli } from '../helpers/studio-cli.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { expectWorkingServer } from './smoke.js';

// Generous: a cold npm cache fetches ~700 MB of native packages (LanceDB, ONNX Runtime).
const INSTALL_TIMEOUT_MS = 600_000;
let temp: TempDir;
let app: string;
let env: Record<string, string>;

beforeAll(async () => {
  requireBuild();
  temp = await makeTempDir('rag-studio-pack-');
  app = join(temp.path, 'app');
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    npm_config_update_notifier: 'false',
  };
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', temp.path], { env });
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(temp.path, packed.stdout.trim().split('\n').pop()!);
  await run('mkdir', ['-p', app], { env });
  await writeFile(join(app, 'package.json'), '{ "name": "empty-app", "private": true }\n');
  // As a user would: an empty folder, only the tarball; devDependencies of ours are never installed this way.
  const installed = await run(
    'npm',
    ['install', tarball, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
    { env, cwd: app, timeoutMs: INSTALL_TIMEOUT_MS },
  );
  expect(installed.code, installed.stderr).toBe(0);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => temp?.remove());

describe('the packed npm package', () => {
  it('ships dist and the README, not sources, tests or benches', async () => {
    const listed = await run('npm', ['pack', '--dry-run', '--json'], { env, cwd: REPO_ROOT });
    const files = (JSON.parse(listed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(
      (f) => f.path,
    );
    expect(files).toContain('dist/server/main.js');
    expect(files).toContain('dist/cli/main.js');
    // The studio works offline: its page and scripts ship in the package, nothing comes from a CDN.
    expect(files).toContain('dist/studio/public/index.html');
    expect(files).toContain('dist/studio/public/app.js');
    expect(files).toContain('README.md');
    expect(files.some((f) => /^(src|test|bench|scripts)\//.test(f))).toBe(false);
  });

  it('runs `npx rag-studio-mcp --help` from the install folder', async () => {
    const help = await run('npx', ['--no-install', 'rag-studio-mcp', '--help'], { env, cwd: app });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('RAG_STUDIO_DATA_DIR');
    const evalHelp = await run('npx', ['--no-install', 'rag-studio-mcp', 'eval', '--help'], {
      env,
      cwd: app,
    });
    expect(evalHelp.code, evalHelp.stderr).toBe(0);
    expect(evalHelp.stdout).toMatch(/beir/i);
    const studioHelp = await run('npx', ['--no-install', 'rag-studio-mcp', 'studio', '--help'], {
      env,
      cwd: app,
    });
    expect(studioHelp.code, studioHelp.stderr).toBe(0);
    expect(studioHelp.stdout).toContain('RAG Studio');
  });

  it('runs the ingest and eval subcommands from the installed copy', async () => {
    const work = await makeTempDir('rag-studio-pack-work-');
    try {
      const docs = join(work.path, 'docs');
      const beir = join(work.path, 'beir');
      await mkdir(join(beir, 'qrels'), { recursive: true });
      await mkdir(docs);
      await writeFile(join(docs, 'guide.md'), '# Guide\n\n## Install\n\nRun the aardvark installer.\n');
      await writeFile(join(docs, 'notes.txt'), 'Notes about the pangolin release.\n');
      const corpus = [
        { _id: 'd1', title: 'Aardvark', text: 'the aardvark digs burrows' },
        { _id: 'd2', title: 'Pangolin', text: 'the pangolin has scales' },
      ];
      await writeFile(join(beir, 'corpus.jsonl'), corpus.map((d) => JSON.stringify(d)).join('\n') + '\n');
      await writeFile(
        join(beir, 'queries.jsonl'),
        JSON.stringify({ _id: 'q1', text: 'pangolin scales' }) + '\n',
      );
      await writeFile(join(beir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td2\t1\n');
      const withData = {
        ...env,
        RAG_STUDIO_DATA_DIR: join(work.path, 'data'),
        RAG_STUDIO_EMBEDDING_MODEL: 'hash',
      };

      const ingested = await run(
        'npx',
        ['--no-install', 'rag-studio-mcp', 'ingest', docs, '--kb', 'docs', '--json'],
        { env: withData, cwd: app, timeoutMs: 120_000 },
      );
      expect(ingested.code, ingested.stderr).toBe(0);
      expect(JSON.parse(ingested.stdout)).toMatchObject({ kb: 'docs', added: 2, failed: [] });

      const evaluated = await run(
        'npx',
        ['--no-install', 'rag-studio-mcp', 'eval', beir, '--model', 'hash', '--modes', 'lexical', '--json'],
        { env: withData, cwd: app, timeoutMs: 120_000 },
      );
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const report = JSON.parse(evaluated.stdout) as { modes: Array<{ mode: string; ndcg10: number }> };
      expect(report.modes[0]).toMatchObject({ mode: 'lexical', ndcg10: 1 });
    } finally {
      await work.remove();
    }
  });

  it('opens a working studio from the installed copy: page, scripts and MCP behind the printed token', async () => {
    const cli = join(app, 'node_modules', 'rag-studio-mcp', 'dist', 'cli', 'main.js');
    const dataDir = await makeTempDir('rag-studio-pack-studio-');
    const studio = await startStudioCli(cli, dataDir.path);
    try {
      const page = await rawGet(studio.url.href);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<script type="module" src="app.js">');
      for (const asset of ['app.js', 'mcp-client.js']) {
        expect((await rawGet(new URL(asset, studio.url).href)).status).toBe(200);
      }
      const client = await connectHttpClient(new URL('/mcp', studio.url).href, { token: studio.token });
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('ingest_documents');
      } finally {
        await client.close();
      }
    } finally {
      await studio.stop();
      await dataDir.remove();
    }
  });

  it('serves a real MCP client over stdio from the installed copy', async () => {
    const main = join(app, 'node_modules', 'rag-studio-mcp', 'dist', 'server', 'main.js');
    expect(existsSync(main)).toBe(true);
    const dataDir = await makeTempDir('rag-studio-pack-data-');
    const server = await connectBuiltServer(dataDir.path, { main });
    try {
      await expectWorkingServer(server.client);
    } finally {
      await server.client.close();
      await dataDir.remove();
    }
  });
});
