// Golden query sets: one row per KB in a LanceDB table, each change one conditional commit on its revision.
import type { Connection, Table } from '@lancedb/lancedb';
import { Field, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { EngineError, storageError } from '../errors.js';
import type { EvalQuery } from '../evaluation/rank-queries.js';
import { rowsToArrow } from './arrow-rows.js';
import { sqlString } from './sql.js';

export const GOLDEN_QUERIES_TABLE = '_golden_queries';

/** A KB's golden queries and the gate settings stored with them. */
export interface GoldenSet {
  kb: string;
  queries: EvalQuery[];
  /** Results per query whose documents count for recall. */
  k: number;
  /** Largest drop of mean recall@k (0..1) a gated promotion accepts. */
  tolerance: number;
  /** 1 for the first set, +1 per change; the conditional commit compares it. */
  revision: number;
  updatedAt: number;
}

const SCHEMA = new Schema([
  new Field('kb', new Utf8(), false),
  new Field('revision', new Int32(), false),
  new Field('queries', new Utf8(), false),
  new Field('k', new Int32(), false),
  new Field('tolerance', new Float64(), false),
  new Field('updated_at', new Float64(), false),
]);

const COMMIT_ATTEMPTS = 5;

/**
 * Why a table and not a file next to the data: the catalog's reasons hold here too. A LanceDB commit is atomic
 * on local disks and object stores alike, so a crash leaves the old set or the new one, and every process on
 * the store reads the same newest version (reads check out the latest version; sets are small and rarely
 * read: on a gated promotion and on the resource). Invariant: one row per KB, and a change is written only
 * against the revision it was computed from. Writers hold the KB's cross-process writer lease; on top of that
 * the merge updates the row only `where target.revision = <read revision>`, so even a writer that lost its
 * lease can never overwrite a newer set: it gets CONFLICT instead.
 */
export class GoldenQueryStore {
  private constructor(private readonly table: Table | undefined) {}

  static async open(db: Connection, readOnly: boolean): Promise<GoldenQueryStore> {
    try {
      let table: Table | undefined;
      try {
        table = await db.openTable(GOLDEN_QUERIES_TABLE);
      } catch (error) {
        if (!/not found|does not exist|was not found/i.test(String(error))) throw error;
        if (!readOnly) table = await db.createEmptyTable(GOLDEN_QUERIES_TABLE, SCHEMA, { existOk: true });
      }
      return new GoldenQueryStore(table);
    } catch (error) {
      throw storageError('opening the golden query table', error);
    }
  }

  /** The newest committed set of `kb`, from any process; undefined when none was ever set. */
  async get(kb: string): Promise<GoldenSet | undefined> {
    if (!this.table) return undefined;
    try {
      await this.table.checkoutLatest();
      const rows = (await this.table
        .query()
        .where(`kb = ${sqlString(kb)}`)
        .toArray()) as Array<Record<string, unknown>>;
      // One row per KB by the invariant; should a store ever hold two, the higher revision is the truth.
      const newest = rows.map(fromRow).sort((a, b) => b.revision - a.revision)[0];
      return newest;
    } catch (error) {
      throw storageError(`reading the golden queries of "${kb}"`, error);
    }
  }

  /**
   * Writes `next` as revision `expectedRevision + 1` in one commit, only if the stored revision is still
   * `expectedRevision` (0: no set yet). Otherwise CONFLICT, and nothing changed.
   */
  async put(next: Omit<GoldenSet, 'revision'>, expectedRevision: number): Promise<GoldenSet> {
    if (!this.table) throw storageError('writing golden queries', new Error('the engine is read-only'));
    const written: GoldenSet = { ...next, revision: expectedRevision + 1 };
    const data = rowsToArrow(SCHEMA, [toRow(written)]);
    for (let attempt = 1; ; attempt++) {
      let changed: number;
      try {
        const merge = this.table
          .mergeInsert('kb')
          .whenMatchedUpdateAll({ where: `target.revision = ${expectedRevision}` });
        // Insert only when none was expected: a set another process removed meanwhile is a conflict too.
        const result = await (expectedRevision === 0 ? merge.whenNotMatchedInsertAll() : merge).execute(data);
        changed = result.numInsertedRows + result.numUpdatedRows;
      } catch (error) {
        if (!/conflict|preempted|retryable|concurrent/i.test(String(error)) || attempt >= COMMIT_ATTEMPTS) {
          throw storageError(`committing the golden queries of "${next.kb}"`, error);
        }
        // Another KB's commit raced this one; ours did not land (or the re-check below will say so).
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt * Math.random()));
        const now = await this.get(next.kb);
        if (now?.revision === written.revision && now.updatedAt === written.updatedAt) return written;
        continue;
      }
      if (changed === 0) {
        throw new EngineError(
          'CONFLICT',
          `the golden queries of "${next.kb}" changed meanwhile (expected revision ${expectedRevision}); nothing was written. Read rag-studio://knowledge-bases/${next.kb}/golden-queries and retry.`,
        );
      }
      return written;
    }
  }

  /** Removes a KB's set (the KB is being deleted). */
  async remove(kb: string): Promise<void> {
    if (!this.table) return;
    try {
      await this.table.delete(`kb = ${sqlString(kb)}`);
    } catch (error) {
      throw storageError(`removing the golden queries of "${kb}"`, error);
    }
  }
}

function toRow(set: GoldenSet): Record<string, unknown> {
  return {
    kb: set.kb,
    revision: set.revision,
    queries: JSON.stringify(set.queries),
    k: set.k,
    tolerance: set.tolerance,
    updated_at: set.updatedAt,
  };
}

function fromRow(row: Record<string, unknown>): GoldenSet {
  return {
    kb: String(row.kb),
    revision: Number(row.revision),
    queries: JSON.parse(String(row.queries)) as EvalQuery[],
    k: Number(row.k),
    tolerance: Number(row.tolerance),
    updatedAt: Number(row.updated_at),
  };
}
