// Watch mode: one debounced callback for a burst of file changes under the given folders.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import picomatch from 'picomatch';

export interface FolderWatch {
  close(): void;
}

/**
 * Watches each path's folder recursively (fs.watch, recursive on Linux since Node 19.1, macOS and Windows) and
 * calls `onChange` once `debounceMs` after the last event of a burst: saving 50 files is one sync. Calls never
 * overlap: events during a running sync schedule exactly one more.
 */
export async function watchFolders(
  paths: readonly string[],
  cwd: string,
  onChange: () => Promise<void>,
  options: { debounceMs?: number; onError?: (error: unknown) => void } = {},
): Promise<FolderWatch> {
  const debounceMs = options.debounceMs ?? 500;
  const folders = new Set<string>();
  for (const raw of paths) {
    const absolute = resolve(cwd, raw);
    const info = await stat(absolute).catch(() => undefined);
    if (info?.isDirectory()) folders.add(absolute);
    else if (info?.isFile()) folders.add(dirname(absolute));
    else folders.add(resolve(cwd, picomatch.scan(raw).base || '.'));
  }
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await onChange();
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), debounceMs);
  };
  const watchers: FSWatcher[] = [...folders].map((folder) => watch(folder, { recursive: true }, schedule));
  for (const w of watchers) w.on('error', (error) => options.onError?.(error));
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
