// server.json (the MCP registry entry) is current with package.json and the settings table, in the registry's shape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/engine/index.js';
import { allSettings } from '../../src/config/config-settings.js';
import { buildServerJson } from '../../scripts/server-json.js';
import { REPO_ROOT } from '../helpers/built-server.js';

const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'server.json'), 'utf8')) as {
  name: string;
  description: string;
  version: string;
  packages: Array<{
    registryType: string;
    identifier: string;
    version: string;
    transport: { type: string };
    environmentVariables: Array<{ name: string; description: string; format: string; default?: string }>;
  }>;
};
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  mcpName: string;
};

describe('server.json', () => {
  it('is what `npm run server-json` generates now (regenerate it after changing settings or the version)', () => {
    expect(committed).toEqual(buildServerJson());
  });

  it('names the npm package, its version and mcpName as the registry requires', () => {
    expect(committed.name).toBe(pkg.mcpName);
    expect(committed.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(committed.description.length).toBeGreaterThan(0);
    expect(committed.description.length).toBeLessThanOrEqual(100);
    expect(committed.version).toBe(pkg.version);
    const [npmPackage] = committed.packages;
    expect(npmPackage).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version });
    expect(npmPackage!.transport).toEqual({ type: 'stdio' });
  });

  it('lists every setting of the config table once, with its documented meaning', () => {
    const vars = committed.packages[0]!.environmentVariables;
    const settings = allSettings(DEFAULT_LIMITS);
    expect(vars.map((v) => v.name)).toEqual(settings.map((s) => s.env[0]));
    for (const [i, setting] of settings.entries()) {
      expect(vars[i]!.description).toBe(setting.doc.replaceAll('`', ''));
      expect(vars[i]!.format).toBe(setting.type === 'boolean' ? 'boolean' : 'string');
    }
  });
});
