// Checks model files before anything loads them: regular files of sane size, and an ONNX file that parses as a ModelProto.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Largest size accepted per model file. JSON metadata is read whole (by us or transformers.js), so a huge or
 * endless one (`/dev/zero`) must be refused before reading; ONNX weights of real embedding models stay far
 * below 8 GiB.
 */
export const MODEL_FILE_MAX_BYTES: Readonly<Record<string, number>> = {
  'config.json': 1024 * 1024,
  'tokenizer_config.json': 1024 * 1024,
  'tokenizer.json': 64 * 1024 * 1024,
};
export const ONNX_MAX_BYTES = 8 * 1024 ** 3;
/** The smallest ONNX file that can hold an ir_version and a graph. */
const ONNX_MIN_BYTES = 16;

/**
 * Why the model's files cannot be loaded safely, or undefined. Each must be a regular file (a FIFO would hang
 * the reader, a device never end) within its size cap, and the ONNX file must be a well-formed ModelProto:
 * ONNX Runtime aborts the whole process (`terminate called after throwing … Napi::Error`) on some corrupt
 * files, and a worker thread does not contain that.
 */
export async function modelFilesProblem(
  directory: string,
  files: readonly string[],
): Promise<string | undefined> {
  for (const file of files) {
    const path = join(directory, file);
    const max = file.endsWith('.onnx') ? ONNX_MAX_BYTES : (MODEL_FILE_MAX_BYTES[file] ?? 64 * 1024 * 1024);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      return `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    if (!info.isFile()) return `${file} is not a regular file`;
    if (info.size > max) return `${file} is ${info.size} bytes; at most ${max} are accepted`;
    if (file.endsWith('.onnx')) {
      const problem = await onnxProblem(path, info.size);
      if (problem) return `${file} is not a valid ONNX model: ${problem}`;
    }
  }
  return undefined;
}

/** ModelProto fields (onnx.proto) and their wire types: 0 varint, 2 length-delimited. */
const MODEL_FIELDS: ReadonlyMap<number, number> = new Map([
  [1, 0], // ir_version
  [2, 2], // producer_name
  [3, 2], // producer_version
  [4, 2], // domain
  [5, 0], // model_version
  [6, 2], // doc_string
  [7, 2], // graph
  [8, 2], // opset_import
  [14, 2], // metadata_props
  [20, 2], // training_info
  [25, 2], // functions
  [26, 2], // configuration
]);
/** GraphProto fields: every one is length-delimited. */
const GRAPH_FIELDS: ReadonlySet<number> = new Set([1, 2, 5, 10, 11, 12, 13, 14, 15, 16]);
/** Wire types a field of a future ONNX version may use: varint, 64-bit, length-delimited, 32-bit. */
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
/** Field numbers above this are not plausible in ONNX messages (they use two digits). */
const MAX_FIELD_NUMBER = 1000;
/** ir_version values ONNX has defined so far, with room for a few more. */
const MAX_IR_VERSION = 32;

/**
 * Walks the protobuf wire format of the ModelProto and of its graph, field by field, without loading the
 * weights: known fields must have their wire type, unknown ones (a newer ONNX) a plausible number and wire
 * type; every length must fit, each walk must end exactly at its end, and ir_version, opset_import and one
 * graph must be there.
 */
export async function onnxProblem(path: string, size: number): Promise<string | undefined> {
  if (size < ONNX_MIN_BYTES) return `${size} bytes is too small`;
  const handle = await open(path, 'r');
  try {
    const reader = new WireReader(handle, size);
    const seen = new Map<number, number>();
    let irVersion: number | undefined;
    let graph: { start: number; end: number } | undefined;
    let pos = 0;
    while (pos < size) {
      const { field, wire, next } = await reader.tag(pos);
      const known = MODEL_FIELDS.get(field);
      if (known !== undefined ? known !== wire : !plausible(field, wire))
        return `unexpected field ${field} (wire type ${wire}) at byte ${pos}`;
      seen.set(field, (seen.get(field) ?? 0) + 1);
      if (field === 1) irVersion = (await reader.varint(next)).value;
      if (field === 7) graph = { start: (await reader.varint(next)).next, end: 0 };
      const end = await reader.skip(wire, next);
      if (end > size) return `field ${field} at byte ${pos} runs past the end of the file`;
      if (field === 7 && graph !== undefined) graph.end = end;
      pos = end;
    }
    if (irVersion === undefined || irVersion < 1 || irVersion > MAX_IR_VERSION)
      return `ir_version is ${irVersion ?? 'missing'}`;
    if (!seen.has(8)) return 'no opset_import';
    if (graph === undefined || seen.get(7) !== 1) return 'no graph, or more than one';
    for (let at = graph.start; at < graph.end;) {
      const { field, wire, next } = await reader.tag(at);
      if (GRAPH_FIELDS.has(field) ? wire !== WIRE_LENGTH : !plausible(field, wire))
        return `unexpected graph field ${field} (wire type ${wire}) at byte ${at}`;
      at = await reader.skip(wire, next);
      if (at > graph.end) return `graph field ${field} runs past the end of the graph`;
    }
    return undefined;
  } catch (error) {
    return error instanceof WireError ? error.message : `reading failed: ${String(error)}`;
  } finally {
    await handle.close();
  }
}

function plausible(field: number, wire: number): boolean {
  return (
    field <= MAX_FIELD_NUMBER &&
    (wire === WIRE_VARINT || wire === WIRE_FIXED64 || wire === WIRE_LENGTH || wire === WIRE_FIXED32)
  );
}

class WireError extends Error {}

/** Varint reads at arbitrary offsets through a small buffer, so a multi-GB file is never read whole. */
class WireReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;

  constructor(
    private readonly handle: Awaited<ReturnType<typeof open>>,
    private readonly size: number,
  ) {}

  async tag(pos: number): Promise<{ field: number; wire: number; next: number }> {
    const { value, next } = await this.varint(pos);
    const field = Math.floor(value / 8);
    if (field === 0) throw new WireError(`field number 0 at byte ${pos}`);
    return { field, wire: value % 8, next };
  }

  /** The position after a field's value of wire type `wire` starting at `pos`. */
  async skip(wire: number, pos: number): Promise<number> {
    if (wire === WIRE_VARINT) return (await this.varint(pos)).next;
    if (wire === WIRE_FIXED64) return pos + 8;
    if (wire === WIRE_FIXED32) return pos + 4;
    const length = await this.varint(pos);
    return length.next + length.value;
  }

  /** A varint of at most 8 bytes (lengths and versions; larger values are not plausible here). */
  async varint(pos: number): Promise<{ value: number; next: number }> {
    let value = 0;
    for (let i = 0; i < 8; i++) {
      if (pos + i >= this.size) throw new WireError(`truncated varint at byte ${pos}`);
      const byte = await this.byteAt(pos + i);
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return { value, next: pos + i + 1 };
    }
    throw new WireError(`varint too long at byte ${pos}`);
  }

  private async byteAt(pos: number): Promise<number> {
    const offset = pos - this.bufferStart;
    if (offset >= 0 && offset < this.buffer.length) return this.buffer[offset]!;
    const buffer = Buffer.alloc(Math.min(4096, this.size - pos));
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, pos);
    if (bytesRead === 0) throw new WireError(`unexpected end of file at byte ${pos}`);
    this.buffer = buffer.subarray(0, bytesRead);
    this.bufferStart = pos;
    return this.buffer[0]!;
  }
}

/**
 * Reads a small regular file synchronously without ever blocking on it: opened non-blocking (a FIFO opens
 * at once), then refused unless fstat says a regular file of at most `maxBytes`.
 */
export function readSmallRegularFileSync(path: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < info.size) {
      const n = readSync(fd, buffer, read, info.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
