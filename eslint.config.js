// Lint rules: typescript-eslint recommended, no console in server code (stdout belongs to MCP), layers point down.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Layers point down only: server → tools/resources → engine; logger and config live below all of them.
    files: ['src/**/*.ts'],
    // The command dispatcher sits above the server: `serve` and `studio` start it.
    ignores: ['src/server/**', 'src/cli/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/*', '!@modelcontextprotocol/sdk/server/*'],
              message:
                'src/server is the top layer; import the logger from src/log and config from src/config.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine knows nothing of MCP, zod or the layers above it; ingestion sits beside it and knows no MCP
    // either (STYLE.md). Both are used by the CLI and by the tools alike.
    files: ['src/engine/**/*.ts', 'src/ingest/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@modelcontextprotocol/*', 'zod', 'zod/*'],
              message: 'the engine and ingestion speak no protocol: validate and adapt in src/tools.',
            },
            {
              group: ['**/server/*', '**/tools/*', '**/resources/*', '**/cli/*', '**/studio/*'],
              message:
                'layers point down: the engine and ingestion are used by tools and the CLI, never the reverse.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@modelcontextprotocol/*', 'zod', 'zod/*'],
              message: 'the engine speaks no protocol: validate and adapt in src/tools.',
            },
            {
              group: [
                '**/server/*',
                '**/tools/*',
                '**/resources/*',
                '**/cli/*',
                '**/studio/*',
                '**/ingest/*',
                '**/config/*',
                '**/log/*',
              ],
              message:
                'the engine is the bottom layer: settings and logging come in through EngineOptions, never by import.',
            },
          ],
        },
      ],
    },
  },
);
