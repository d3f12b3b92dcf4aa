// npm commands in the clone run without warnings about the project's .npmrc, and the README's install line skips CUDA.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, run } from '../helpers/built-server.js';

describe('npm in the clone', () => {
  it('prints no "Unknown project config" warning', async () => {
    const npm = await run('npm', ['pkg', 'get', 'name'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    expect(npm.code, npm.stderr).toBe(0);
    expect(npm.stdout).toContain('rag-studio-mcp');
    expect(npm.stderr).not.toMatch(/Unknown (project|user|env) config/);
  });

  it('documents ONNXRUNTIME_NODE_INSTALL=skip on the install command', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/^ONNXRUNTIME_NODE_INSTALL=skip npm ci/m);
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')).toContain(
      'export ONNXRUNTIME_NODE_INSTALL=skip',
    );
  });
});
