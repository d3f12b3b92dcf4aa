// The background GC loop: runs collectGarbage every interval, never two at once, never keeping Node alive.
import type { GcLoopState, GcReport } from '../types.js';

export class GcLoop {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private readonly state: GcLoopState;

  constructor(
    intervalSeconds: number,
    private readonly runGc: () => Promise<GcReport>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.state = {
      intervalSeconds,
      running: false,
      lastRunAt: null,
      lastError: null,
      lastReclaimedBytes: null,
    };
  }

  start(): void {
    if (this.state.intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.state.intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }

  snapshot(): GcLoopState {
    return { ...this.state, running: this.current !== undefined };
  }

  private async tick(): Promise<void> {
    if (this.current) return;
    this.current = (async () => {
      try {
        const report = await this.runGc();
        this.state.lastReclaimedBytes = report.reclaimedBytes;
        this.state.lastError = null;
      } catch (error) {
        this.state.lastError = error instanceof Error ? error.message : String(error);
        this.onError(error);
      } finally {
        this.state.lastRunAt = new Date().toISOString();
      }
    })();
    await this.current;
    this.current = undefined;
  }
}
