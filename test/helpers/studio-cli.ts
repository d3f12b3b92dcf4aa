// Starts `rag-studio-mcp studio --port 0` from a given cli/main.js (the build, or an installed copy) and reads its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { serverEnv } from './built-server.js';

export interface StudioCli {
  /** The printed URL: http://127.0.0.1:<port>/studio/#token=… */
  url: URL;
  /** The token from the URL's fragment, as the page reads it. */
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startStudioCli(cliMain: string, dataDir: string): Promise<StudioCli> {
  const child = spawn(process.execPath, [cliMain, 'studio', '--port', '0'], {
    env: serverEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no studio URL printed: ${stderr}`)), 60_000);
      child.on('close', (code) => reject(new Error(`studio exited (code ${code}): ${stderr}`)));
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = /studio: (http:\/\/127\.0\.0\.1:\d+\/studio\/#token=\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(new URL(match[1]!));
        }
      });
    });
    return { url, token: decodeURIComponent(url.hash.slice('#token='.length)), child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A raw GET, so a test sets Host and Origin itself (fetch would not let it). */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, headers },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
