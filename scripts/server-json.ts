// Writes server.json, the MCP registry's description of this package, from package.json and the settings table.
// `npm run server-json` regenerates it; test/package/server-json.test.ts fails when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS } from '../src/engine/index.js';
import { allSettings, type SettingSpec } from '../src/config/config-settings.js';

const ROOT = new URL('../', import.meta.url);
/** The registry's schema version this file follows (static.modelcontextprotocol.io/schemas/<date>/server.schema.json). */
export const SERVER_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** The registry allows 100 characters, fewer than package.json's description. */
const REGISTRY_DESCRIPTION =
  'Local knowledge base for AI agents: hybrid BM25 + vector search, index generations, local embeddings';

interface PackageJson {
  name: string;
  version: string;
  mcpName: string;
}

/** A literal the registry can offer as the default, or undefined where our default is computed (paths, limits text). */
function literalDefault(setting: SettingSpec): string | undefined {
  if (setting.type === 'boolean') return setting.defaultText === 'on' ? 'true' : 'false';
  const text = setting.defaultText.replaceAll('`', '');
  return /^[\w./:@-]+$/.test(text) ? text : undefined;
}

function environmentVariable(setting: SettingSpec) {
  const fallback = literalDefault(setting);
  return {
    name: setting.env[0]!,
    description: setting.doc.replaceAll('`', ''),
    format: setting.type === 'boolean' ? 'boolean' : 'string',
    isRequired: false,
    ...(/TOKEN/.test(setting.env[0]!) ? { isSecret: true } : {}),
    ...(fallback === undefined ? {} : { default: fallback }),
  };
}

export function buildServerJson(): object {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as PackageJson;
  return {
    $schema: SERVER_SCHEMA,
    name: pkg.mcpName,
    title: 'RAG Studio',
    description: REGISTRY_DESCRIPTION,
    version: pkg.version,
    packages: [
      {
        registryType: 'npm',
        registryBaseUrl: 'https://registry.npmjs.org',
        identifier: pkg.name,
        version: pkg.version,
        runtimeHint: 'npx',
        transport: { type: 'stdio' },
        environmentVariables: allSettings(DEFAULT_LIMITS).map(environmentVariable),
      },
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('server.json', ROOT), `${JSON.stringify(buildServerJson(), null, 2)}\n`);
  process.stdout.write('server.json written\n');
}
