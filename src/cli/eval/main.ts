// Standalone entry for `eval` (npm run eval -- <beir-dir> …); `rag-studio-mcp eval` dispatches to the same function.
import { runEvalCommand } from './index.js';

process.exitCode = await runEvalCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
