// Build step: copies the studio's browser files (plain ES modules, no bundler needed) into dist/studio/public.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/studio/public', import.meta.url));
const to = fileURLToPath(new URL('../dist/studio/public', import.meta.url));
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
