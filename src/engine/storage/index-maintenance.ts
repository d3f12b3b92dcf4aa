// Keeps a written generation's indexes fresh in the background, so unindexed rows never pile up.
import type { Table } from '@lancedb/lancedb';
import { underKbLock, type KbLock, type Semaphore } from '../concurrency.js';
import type { EngineLog, IndexConfig } from '../types.js';
import type { GenerationRecord } from './catalog.js';
import { refreshIndexes, VECTOR_INDEX_NAME } from './generation-tables.js';

/**
 * Rows written after an index was built are searched exhaustively: always correct, but BM25 over 100k
 * unindexed rows took 219 ms per query here, against 6 ms indexed. So after writes, once a table has
 * `refreshRows` unindexed rows (or has outgrown brute force without a vector index), its indexes are brought
 * up to date in the background, one table at a time, bounded by the heavy-work semaphore, between writes.
 */
export class IndexMaintenance {
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();

  constructor(
    private readonly heavy: Semaphore,
    private readonly kbLocks: KbLock,
    private readonly refreshRows: number,
    private readonly log: EngineLog,
  ) {}

  /**
   * Called after a write commits; returns at once. A building generation is skipped: it is indexed once, when
   * sealed, and refreshing it during a bulk load would only slow the load down.
   */
  schedule(record: GenerationRecord, table: Table): void {
    const { kb, tableName: name, metric, indexConfig: config } = record;
    if (this.refreshRows <= 0 || record.status === 'building') return;
    if (this.running.has(name)) {
      this.rerun.add(name);
      return;
    }
    const job = (async () => {
      try {
        do {
          this.rerun.delete(name);
          if (await needsRefresh(table, config, this.refreshRows)) {
            // Under the KB lock: LanceDB compaction racing a merge-insert on the same table can conflict.
            await underKbLock({ heavy: this.heavy, kbLocks: this.kbLocks }, kb, true, () =>
              refreshIndexes(table, metric, config),
            );
          }
        } while (this.rerun.has(name));
      } catch (error) {
        // Searches stay correct without it (unindexed rows are scanned); the next write retries.
        this.log('warning', `background index refresh of ${name} failed: ${String(error)}`);
      } finally {
        this.running.delete(name);
      }
    })();
    this.running.set(name, job);
  }

  /** Waits for refreshes in progress (engine close, tests). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }
}

async function needsRefresh(table: Table, config: IndexConfig, refreshRows: number): Promise<boolean> {
  const [rows, indexes] = await Promise.all([table.countRows(), table.listIndices()]);
  const vectorIndexed = indexes.some((i) => i.name === VECTOR_INDEX_NAME);
  if (config.type !== 'none' && rows >= config.bruteForceThreshold && !vectorIndexed) return true;
  return indexes.some((i) => Number((i as { numUnindexedRows?: number }).numUnindexedRows ?? 0) >= refreshRows);
}
