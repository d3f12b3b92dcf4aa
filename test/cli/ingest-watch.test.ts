// `rag-studio-mcp ingest --watch`: a burst of saves is one sync; deletions sync too; Ctrl-C stops cleanly.
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MAIN, REPO_ROOT, requireBuild, serverEnv } from '../helpers/built-server.js';
import { writeFiles } from '../helpers/document-files.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let data: TempDir;
let docs: TempDir;

beforeAll(async () => {
  requireBuild();
  data = await makeTempDir('rag-studio-watch-data-');
  docs = await makeTempDir('rag-studio-watch-docs-');
  await writeFiles(docs.path, { 'a.md': '# A\n\nfirst\n' });
});
afterAll(async () => {
  await data.remove();
  await docs.remove();
});

describe('ingest --watch', () => {
  it('syncs once per burst of changes and exits 0 on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [BUILT_MAIN, 'ingest', docs.path, '--kb', 'w', '--watch', '--json'],
      {
        env: serverEnv(data.path),
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const reports: Array<Record<string, unknown>> = [];
    let waiting: { count: number; resolve: () => void } | undefined;
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        reports.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
        if (waiting && reports.length >= waiting.count) waiting.resolve();
      }
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const reportCount = (count: number) =>
      new Promise<void>((resolve, reject) => {
        if (reports.length >= count) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`no report ${count} within 30 s; stderr: ${stderr}`)),
          30_000,
        );
        waiting = { count, resolve: () => (clearTimeout(timer), resolve()) };
      });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await reportCount(1);
      expect(reports[0]).toMatchObject({ added: 1 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Ten saves in a row: one sync picks them all up.
      for (let i = 0; i < 10; i++) await writeFile(join(docs.path, `n${i}.md`), `# N${i}\n\nnote ${i}\n`);
      await reportCount(2);
      expect(reports[1]).toMatchObject({ added: 10, unchanged: 1 });
      await rm(join(docs.path, 'a.md'));
      await reportCount(3);
      expect(reports[2]).toMatchObject({ added: 0, deleted: 1, unchanged: 10 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(reports).toHaveLength(3);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});
