// Leases and pins as rows of a LanceDB table, for object storage where there is no O_EXCL file create.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, Table } from '@lancedb/lancedb';
import { Field, Float64, Schema, Utf8 } from 'apache-arrow';
import { isCommitConflict } from '../storage/commit-conflict.js';
import { sqlString } from '../storage/sql.js';
import type { LeaseStore } from './lease-store.js';

export const LEASE_TABLE = '_leases';

const SCHEMA = new Schema([
  new Field('name', new Utf8(), false),
  new Field('owner', new Utf8(), false),
  new Field('expires_at', new Float64(), false),
  new Field('payload', new Utf8(), false),
]);

const PIN_PREFIX = 'pins:';
/** How often a taker retries when duplicate lease rows were split between owners (see tryAcquire). */
const SPLIT_RETRIES = 8;

/**
 * Mechanism: a conditional UPDATE (`… WHERE name = n AND (owner = '' OR expires_at < now)`) is a compare-and-set
 * because Lance commits are conditional on the version they read (a put-if-absent of the next manifest): two
 * concurrent updates of one row conflict and the loser re-evaluates its predicate against the winner's version
 * (measured: 6 processes racing, exactly one `rowsUpdated: 1`). Lease rows are created by an insert-if-absent
 * merge, which can leave duplicates when two processes create one at once; so after its update a taker reads
 * every row of the name back and holds the lease only if all are its own; when duplicates are split between
 * owners, each lets go and retries after a random pause, so a race still ends with exactly one holder.
 */
export class TableLeaseStore implements LeaseStore {
  private constructor(private readonly table: Table) {}

  static async open(db: Connection): Promise<TableLeaseStore> {
    let table: Table;
    try {
      table = await db.openTable(LEASE_TABLE);
    } catch {
      table = await db.createEmptyTable(LEASE_TABLE, SCHEMA, { existOk: true });
    }
    return new TableLeaseStore(table);
  }

  async tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const where = `name = ${sqlString(name)}`;
    if ((await this.rows(where)).length === 0) {
      try {
        await this.table
          .mergeInsert('name')
          .whenNotMatchedInsertAll()
          .execute([{ name, owner: '', expires_at: 0, payload: '' }]);
      } catch (error) {
        // Lance gives up on a commit after its retry timeout when many writers race (seen: six processes on a
        // loaded S3 server). Losing the race to create the row is fine as long as some writer created it.
        if (!isCommitConflict(error) || (await this.rows(where)).length === 0) throw error;
      }
    }
    for (let attempt = 0; attempt < SPLIT_RETRIES; attempt++) {
      const now = Date.now();
      try {
        await this.table.update({
          where: `${where} AND (owner = '' OR owner = ${sqlString(owner)} OR expires_at < ${now})`,
          values: { owner, expires_at: now + ttlMs },
        });
      } catch (error) {
        // The same give-up on the conditional update: the rows read next say who won.
        if (!isCommitConflict(error)) throw error;
      }
      const rows = await this.rows(where);
      const mine = rows.filter((r) => r.owner === owner).length;
      if (rows.length > 0 && mine === rows.length) return true;
      const takenByOthers = rows.some(
        (r) => r.owner !== '' && r.owner !== owner && r.expires_at >= Date.now(),
      );
      if (!takenByOthers) continue; // a duplicate row appeared after the update: take it too
      if (mine === 0) return false; // someone else holds it
      // Split: duplicates hold different owners. Every party lets go and retries after a random pause, so one
      // of them takes every row in one update (a single version) and the others see that and give up.
      await this.release(name, owner);
      await sleep(5 + Math.random() * 45);
    }
    await this.release(name, owner);
    return false;
  }

  async renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const result = await this.table.update({
      where: `name = ${sqlString(name)} AND owner = ${sqlString(owner)}`,
      values: { expires_at: Date.now() + ttlMs },
    });
    return result.rowsUpdated > 0;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.table.update({
      where: `name = ${sqlString(name)} AND owner = ${sqlString(owner)}`,
      values: { owner: '', expires_at: 0 },
    });
  }

  async publishPins(owner: string, keys: string[], ttlMs: number): Promise<void> {
    // Only this owner writes its pin row, so the insert-if-absent race above cannot happen here.
    await this.table
      .mergeInsert('name')
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute([
        {
          name: `${PIN_PREFIX}${owner}`,
          owner,
          expires_at: Date.now() + ttlMs,
          payload: JSON.stringify(keys),
        },
      ]);
  }

  async livePins(except: string): Promise<Set<string>> {
    const rows = await this.rows(
      `name LIKE '${PIN_PREFIX}%' AND expires_at > ${Date.now()} AND owner != ${sqlString(except)}`,
    );
    const live = new Set<string>();
    for (const row of rows) for (const key of JSON.parse(row.payload) as string[]) live.add(key);
    return live;
  }

  async tidy(): Promise<void> {
    await this.table.delete(`name LIKE '${PIN_PREFIX}%' AND expires_at < ${Date.now() - 60_000}`);
    await this.table.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) });
  }

  private async rows(
    where: string,
  ): Promise<Array<{ name: string; owner: string; expires_at: number; payload: string }>> {
    await this.table.checkoutLatest();
    return (await this.table.query().where(where).toArray()) as Array<{
      name: string;
      owner: string;
      expires_at: number;
      payload: string;
    }>;
  }
}
