// Plain row objects ↔ Arrow tables for a given schema, working around apache-arrow quirks.
import {
  FixedSizeList,
  Float32,
  Schema,
  Table as ArrowTable,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';

/**
 * One Arrow table whose columns follow `schema` exactly. Fixed-size float vectors are packed into one
 * contiguous buffer (fast for 100k × 384); strings are built by hand (see utf8Vector).
 */
export function rowsToArrow(schema: Schema, rows: ReadonlyArray<Record<string, unknown>>): ArrowTable {
  // Insertion order matters: apache-arrow pairs these columns with the schema's fields by position.
  const columns: Record<string, Vector> = {};
  for (const field of schema.fields) {
    const values = rows.map((r) => r[field.name]);
    if (field.type instanceof FixedSizeList) columns[field.name] = float32ListVector(field.type, values);
    else if (field.type instanceof Utf8) columns[field.name] = utf8Vector(values as Array<string | null>);
    else columns[field.name] = vectorFromArray(values, field.type);
  }
  return new ArrowTable(schema, columns as never);
}

function float32ListVector(type: FixedSizeList, values: unknown[]): Vector {
  const size = type.listSize;
  const flat = new Float32Array(values.length * size);
  values.forEach((v, i) => flat.set(v as ArrayLike<number>, i * size));
  return makeVector(
    makeData({
      type,
      length: values.length,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: flat.length, data: flat }),
    }),
  );
}

/**
 * Builds a Utf8 vector directly. apache-arrow's vectorFromArray leaves the offsets buffer empty for an
 * all-null string column, which LanceDB rejects ("Need at least N bytes in buffers[0]").
 */
function utf8Vector(values: Array<string | null | undefined>): Vector {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => (v === null || v === undefined ? null : encoder.encode(v)));
  const offsets = new Int32Array(values.length + 1);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let total = 0;
  let nullCount = 0;
  encoded.forEach((bytes, i) => {
    if (bytes === null) nullCount++;
    else {
      validity[i >> 3]! |= 1 << (i & 7);
      total += bytes.length;
    }
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((bytes, i) => bytes && data.set(bytes, offsets[i]!));
  return makeVector(
    makeData({
      type: new Utf8(),
      length: values.length,
      nullCount,
      nullBitmap: nullCount > 0 ? validity : null,
      valueOffsets: offsets,
      data,
    }),
  );
}

/**
 * The rows of an Arrow table as plain objects, read column by column. apache-arrow's own `toArray()` gives
 * Proxy rows whose every property read searches the field list and dispatches a visitor; a search reading
 * a dozen fields of each hit spent more time there than in the query. Values are the same `Vector.get` gives.
 */
export function arrowToRows(table: ArrowTable): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = Array.from({ length: table.numRows }, () => ({}));
  for (const field of table.schema.fields) {
    const column = table.getChild(field.name);
    if (!column) continue;
    for (let i = 0; i < rows.length; i++) rows[i]![field.name] = column.get(i);
  }
  return rows;
}
