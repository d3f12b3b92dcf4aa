// The README and mcp.json agree with the code: every setting, tool argument and output field is documented.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/engine/index.js';
import { allSettings } from '../../src/config/config-settings.js';
import { PROMPTS } from '../../src/prompts/index.js';
import { TOOLS } from '../../src/tools/index.js';
import { REPO_ROOT } from '../helpers/built-server.js';

const docs = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The text under `### <name>` up to the next heading. */
function section(name: string): string {
  const start = docs.indexOf(`### ${name}\n`);
  expect(start, `no section for ${name}`).toBeGreaterThanOrEqual(0);
  const rest = docs.slice(start + 4);
  const end = rest.search(/\n##/);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('README.md', () => {
  it('has a table row for every setting, with its default', () => {
    for (const s of allSettings(DEFAULT_LIMITS)) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${s.env[0]}\``));
      expect(row, s.env[0]).toBeDefined();
      expect(row).toContain(`\`--${s.flag}`);
      for (const env of s.env) expect(row).toContain(env);
      expect(row).toContain(s.defaultText);
    }
  });

  it.each(Object.entries(TOOLS))('documents every argument and output field of %s', (name, tool) => {
    const text = section(name);
    const input = z.toJSONSchema(tool.inputSchema, { io: 'input', unrepresentable: 'any' }) as {
      properties: object;
    };
    const output = z.toJSONSchema(tool.outputSchema, { io: 'output', unrepresentable: 'any' }) as {
      properties: object;
    };
    for (const key of Object.keys(input.properties))
      expect(text, `${name} argument ${key}`).toContain(`\`${key}\``);
    for (const key of Object.keys(output.properties))
      expect(text, `${name} output ${key}`).toContain(`\`${key}`);
  });

  it('documents every prompt with its arguments', () => {
    for (const [name, prompt] of Object.entries(PROMPTS)) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect(row, name).toBeDefined();
      for (const arg of Object.keys(prompt.argsSchema)) expect(row).toContain(`\`${arg}\``);
    }
  });

  it('documents every resource', () => {
    for (const uri of [
      'rag-studio://knowledge-bases`',
      'rag-studio://knowledge-bases/{kb}`',
      'rag-studio://knowledge-bases/{kb}/generations`',
      'rag-studio://knowledge-bases/{kb}/documents`',
      'rag-studio://jobs/{id}`',
      'rag-studio://status`',
      'rag-studio://knowledge-bases/{kb}/golden-queries`',
    ]) {
      expect(docs).toContain(uri);
    }
  });
});

describe('mcp.json', () => {
  it('is a ready mcpServers entry that starts the built server from the clone', () => {
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'mcp.json'), 'utf8')) as {
      mcpServers: Record<string, { command: string; args: string[] }>;
    };
    const server = config.mcpServers['rag-studio'];
    expect(server?.command).toBe('node');
    expect(server?.args).toEqual(['dist/server/main.js']);
    expect(existsSync(join(REPO_ROOT, 'src', 'server', 'main.ts'))).toBe(true);
    expect(docs).toContain(JSON.stringify(server?.args));
  });
});
