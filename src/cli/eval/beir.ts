// Reads a BEIR-format dataset: corpus.jsonl, queries.jsonl and qrels/<split>.tsv (with its header line).
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

/** Relevance grades per query: query id → (document id → grade > 0). */
export type Qrels = Map<string, Map<string, number>>;

export interface BeirDataset {
  /** The directory's name, e.g. `scifact`. */
  name: string;
  split: string;
  corpus: BeirDocument[];
  /** Query id → text, for every query in queries.jsonl. */
  queries: Map<string, string>;
  qrels: Qrels;
}

/** A dataset problem the user must fix: the message names the file and line. */
export class BeirFormatError extends Error {
  override readonly name = 'BeirFormatError';
}

/**
 * Loads the whole dataset into memory (SciFact is 8 MB; BEIR's largest corpora need a machine sized for them).
 * @example const data = await readBeir('/data/scifact', 'test');
 */
export async function readBeir(dir: string, split = 'test'): Promise<BeirDataset> {
  const root = resolve(dir);
  const files = {
    corpus: join(root, 'corpus.jsonl'),
    queries: join(root, 'queries.jsonl'),
    qrels: join(root, 'qrels', `${split}.tsv`),
  };
  for (const path of Object.values(files)) {
    try {
      await access(path);
    } catch {
      throw new BeirFormatError(
        `${path} is missing; a BEIR dataset has corpus.jsonl, queries.jsonl and qrels/<split>.tsv`,
      );
    }
  }
  const corpus: BeirDocument[] = [];
  for await (const { value, where } of jsonLines(files.corpus)) {
    const id = idOf(value, where);
    corpus.push({ id, title: stringField(value, 'title', where), text: stringField(value, 'text', where) });
  }
  const queries = new Map<string, string>();
  for await (const { value, where } of jsonLines(files.queries)) {
    queries.set(idOf(value, where), stringField(value, 'text', where));
  }
  return { name: basename(root), split, corpus, queries, qrels: await readQrels(files.qrels) };
}

/** qrels TSV: `query-id corpus-id score` with a header line; grades <= 0 mean "not relevant" and are dropped. */
export async function readQrels(path: string): Promise<Qrels> {
  const qrels: Qrels = new Map();
  let lineNumber = 0;
  for await (const line of lines(path)) {
    lineNumber++;
    if (line.trim() === '') continue;
    const fields = line.split('\t');
    if (lineNumber === 1 && !/^-?\d+$/.test(fields[2]?.trim() ?? '')) continue; // header
    if (fields.length < 3)
      throw new BeirFormatError(`${path}:${lineNumber}: expected query-id, corpus-id, score`);
    const [queryId, docId, scoreText] = fields.map((f) => f.trim()) as [string, string, string];
    const grade = Number(scoreText);
    if (!Number.isFinite(grade))
      throw new BeirFormatError(`${path}:${lineNumber}: score "${scoreText}" is not a number`);
    if (grade <= 0) continue;
    let judged = qrels.get(queryId);
    if (!judged) qrels.set(queryId, (judged = new Map()));
    judged.set(docId, grade);
  }
  return qrels;
}

async function* lines(path: string): AsyncGenerator<string> {
  const reader = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  try {
    for await (const line of reader) yield line;
  } finally {
    reader.close();
  }
}

async function* jsonLines(path: string): AsyncGenerator<{ value: Record<string, unknown>; where: string }> {
  let lineNumber = 0;
  for await (const line of lines(path)) {
    lineNumber++;
    if (line.trim() === '') continue;
    const where = `${path}:${lineNumber}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new BeirFormatError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new BeirFormatError(`${where}: expected a JSON object`);
    }
    yield { value: value as Record<string, unknown>, where };
  }
}

function idOf(value: Record<string, unknown>, where: string): string {
  const id = value._id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number') return String(id);
  throw new BeirFormatError(`${where}: "_id" must be a non-empty string`);
}

function stringField(value: Record<string, unknown>, key: string, where: string): string {
  const field = value[key];
  if (field === undefined || field === null) return '';
  if (typeof field !== 'string') throw new BeirFormatError(`${where}: "${key}" must be a string`);
  return field;
}
