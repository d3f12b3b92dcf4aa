// Reads that survive another process pruning the table version a cached handle still points at.
import type { Table } from '@lancedb/lancedb';

/**
 * A handle stays at the version it last read until it is moved (the staleness bound). GC in another process
 * may meanwhile prune that version's manifest or data files (optimize with a short min age), and the read then
 * fails with "Not found". Such a read is retried once on the newest version: it then shows newer data, which
 * the staleness bound allows, instead of failing.
 */
export async function readSurvivingPrune<T>(table: Table, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isPrunedVersionError(error)) throw error;
    await table.checkoutLatest();
    return read();
  }
}

/** Lance's error for a file of the table (manifest, data, index, deletion file) that is no longer there. */
export function isPrunedVersionError(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /not found/i.test(text) && /\.lance\/(_versions|data|_indices|_deletions)\//.test(text);
}
