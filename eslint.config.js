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
);
