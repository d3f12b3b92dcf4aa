// Progress on stderr: a redrawn bar (files, chunks, ETA) on a terminal, a plain line per step otherwise.
import type { IngestProgress } from '../../ingest/index.js';

export interface ProgressDisplay {
  update(progress: IngestProgress): void;
  /** Clears the bar so the report starts on a clean line. */
  finish(): void;
}

const BAR_WIDTH = 24;

export function progressDisplay(
  write: (text: string) => void,
  isTty: boolean,
  now: () => number = Date.now,
): ProgressDisplay {
  let started: number | undefined;
  let lastPhase = '';
  let lastLine = 0;
  let drawn = false;
  return {
    update(p) {
      if (p.phase === 'ingesting' && started === undefined) started = now();
      const total = p.filesTotal ?? 0;
      if (isTty) {
        const ratio = total > 0 ? p.filesDone / total : 0;
        const filled = Math.round(ratio * BAR_WIDTH);
        const elapsed = started === undefined ? 0 : now() - started;
        const eta = ratio > 0 && ratio < 1 ? ` ETA ${formatSeconds((elapsed / ratio - elapsed) / 1000)}` : '';
        const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
        write(`\r\x1b[2K${p.phase} ${bar} ${p.filesDone}/${total || '?'} files, ${p.chunks} chunks${eta}`);
        drawn = true;
        return;
      }
      // Plain: each phase once, and every 100 files while ingesting (logs stay short and greppable).
      if (p.phase !== lastPhase || (p.phase === 'ingesting' && p.filesDone - lastLine >= 100)) {
        lastPhase = p.phase;
        lastLine = p.filesDone;
        write(`ingest: ${p.phase} ${p.filesDone}/${total} files, ${p.chunks} chunks\n`);
      }
    },
    finish() {
      if (drawn) write('\r\x1b[2K');
      drawn = false;
    },
  };
}

function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
