// The package version, read from package.json (two levels up from both src/server and dist/server).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const SERVER_NAME = 'rag-studio-mcp';
export const SERVER_VERSION: string = (require('../../package.json') as { version: string }).version;
