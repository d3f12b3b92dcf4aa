// A checksum of everything stored under a data dir (every table's rows, read with LanceDB), and a file listing.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object') {
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === 'function' && !('constructor' in value && value.constructor === Object))
      return normalize(toJSON.call(value));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** Every table's rows, each serialized (all columns, vectors included) and the rows sorted. */
export async function dataSnapshot(dataDir: string): Promise<Map<string, string[]>> {
  const db = await connect(dataDir);
  const snapshot = new Map<string, string[]>();
  try {
    for (const name of (await db.tableNames()).sort()) {
      const table = await db.openTable(name);
      try {
        snapshot.set(
          name,
          ((await table.query().toArray()) as unknown[]).map((row) => JSON.stringify(normalize(row))).sort(),
        );
      } finally {
        table.close();
      }
    }
    return snapshot;
  } finally {
    db.close();
  }
}

/** sha256 over every table's name and rows: depends on content only, not on fragment layout or versions. */
export async function dataChecksum(
  dataDir: string,
): Promise<{ digest: string; tables: string[]; rows: number }> {
  const snapshot = await dataSnapshot(dataDir);
  const hash = createHash('sha256');
  let rows = 0;
  for (const [name, serialized] of snapshot) {
    rows += serialized.length;
    hash.update(`${name}\n${serialized.join('\n')}\n`);
  }
  return { digest: hash.digest('hex'), tables: [...snapshot.keys()], rows };
}

/** Rows present in one snapshot and not the other, per table (for a readable failure). */
export function snapshotDiff(a: Map<string, string[]>, b: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const left = new Set(a.get(name) ?? []);
    const right = new Set(b.get(name) ?? []);
    for (const row of left) if (!right.has(row)) out.push(`${name} - ${row.slice(0, 400)}`);
    for (const row of right) if (!left.has(row)) out.push(`${name} + ${row.slice(0, 400)}`);
  }
  return out;
}

/** Every path under `root`, relative, sorted (directories end with `/`). */
export async function listTree(root: string, depth = 2): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string, left: number) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = `${prefix}${entry.name}${entry.isDirectory() ? '/' : ''}`;
      out.push(rel);
      if (entry.isDirectory() && left > 1) await walk(join(dir, entry.name), rel, left - 1);
    }
  };
  await walk(root, '', depth);
  return out.sort();
}
