// Generates a tiny BERT-shaped ONNX model plus WordPiece tokenizer in Hugging Face layout, so tests run real inference offline.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { seededRandom } from './clustered-vectors.js';

const { onnx } = onnxProto;

/** Common English words get their own token, so texts sharing words share embedding rows. */
const WORDS =
  `the a an and or of to in on for with at by from is are was were be been it this that these those
cat cats dog dogs bird fish horse cow animal animals pet pets sat mat runs ran run jump jumps jumped play plays
car cars engine road drive drives driving wheel truck bus train fast slow speed
stock stocks market markets price prices bank banks money trade trading finance invest investor rates interest
rain snow weather sun cloud clouds wind storm cold hot warm winter summer
code coding program programs software bug bugs test tests compile compiler function functions type types
search index vector vectors query queries document documents chunk chunks embedding embeddings model models
apple apples banana fruit fruits food eat eats eating bread cheese milk water coffee tea
music song songs play guitar piano sing band concert
red green blue yellow black white big small old new good bad happy sad
one two three four five six seven eight nine ten`
    .split(/\s+/)
    .filter((word, index, all) => word.length > 0 && all.indexOf(word) === index);

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const PUNCTUATION = '.,;:!?\'"()-'.split('');

/**
 * Default hidden size. Random word vectors need room: at 32 dimensions their chance overlaps (±0.2 cosine)
 * can outweigh shared words; at 128 texts sharing words lead unrelated ones by over 0.3 for every seed tried.
 */
export const TINY_MODEL_HIDDEN = 128;

export interface TinyModelOptions {
  /** Directory name under `parent`. Default `tiny-bert`. */
  name?: string;
  /** Hidden size = output dimension. Default TINY_MODEL_HIDDEN. */
  hidden?: number;
  /** Seed of the embedding tables. Default 42. */
  seed?: number;
  /** Write onnx/model.onnx (fp32). Default true. */
  fp32?: boolean;
  /** Write onnx/model_quantized.onnx (values rounded to 8-bit levels, so it differs from fp32). Default false. */
  quantized?: boolean;
  /** tokenizer_config.json model_max_length. Default 64. */
  maxLength?: number;
}

export interface TinyModel {
  /** Absolute path of the model directory. */
  dir: string;
  hidden: number;
  vocab: string[];
  /** sha256 (hex) of each ONNX file written, keyed by path relative to `dir`. */
  sha256: Record<string, string>;
}

/** Writes the model into `parent/<name>` and returns where it is. */
export async function writeTinyModel(parent: string, options: TinyModelOptions = {}): Promise<TinyModel> {
  const name = options.name ?? 'tiny-bert';
  const hidden = options.hidden ?? TINY_MODEL_HIDDEN;
  const seed = options.seed ?? 42;
  const maxLength = options.maxLength ?? 64;
  const dir = join(parent, name);
  await mkdir(join(dir, 'onnx'), { recursive: true });

  const vocab = tinyVocab();
  const random = seededRandom(seed);
  // Special tokens ([CLS], [SEP]) sit in every text; kept small so mean pooling reflects the words.
  const wordTable = Float32Array.from(
    { length: vocab.length * hidden },
    (_, i) => (random() * 2 - 1) * (i < SPECIAL_TOKENS.length * hidden ? 0.05 : 1),
  );
  const typeTable = Float32Array.from({ length: 2 * hidden }, () => (random() * 2 - 1) * 0.1);

  const sha256 = await writeGatherEncoder(dir, {
    vocab,
    wordTable,
    typeTable,
    hidden,
    maxLength,
    fp32: options.fp32 ?? true,
    quantized: options.quantized ?? false,
  });
  return { dir, hidden, vocab, sha256 };
}

/** What `writeGatherEncoder` writes: a vocabulary and its embedding rows (row i belongs to vocab[i]). */
export interface GatherEncoderSpec {
  /** Tokens; must start with SPECIAL_TOKENS in order. */
  vocab: string[];
  /** vocab.length × hidden, row-major. */
  wordTable: Float32Array;
  /** 2 × hidden token-type rows. */
  typeTable: Float32Array;
  hidden: number;
  maxLength: number;
  fp32: boolean;
  quantized: boolean;
}

/**
 * Writes a Gather + mask ONNX encoder, its BERT config and WordPiece tokenizer into `dir` (which must have an
 * `onnx/` folder). Shared by the tiny model and the LSA model the fusion benchmark builds from a corpus.
 */
export async function writeGatherEncoder(
  dir: string,
  spec: GatherEncoderSpec,
): Promise<Record<string, string>> {
  const { vocab, wordTable, typeTable, hidden, maxLength } = spec;
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const sha256: Record<string, string> = {};
  const files: Array<[string, Float32Array]> = [];
  if (spec.fp32) files.push(['onnx/model.onnx', wordTable]);
  if (spec.quantized) files.push(['onnx/model_quantized.onnx', quantize8(wordTable)]);
  for (const [file, table] of files) {
    const bytes = encodeModel(table, typeTable, vocab.length, hidden);
    await writeFile(join(dir, file), bytes);
    sha256[file] = createHash('sha256').update(bytes).digest('hex');
  }
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify(bertConfig(vocab.length, hidden, maxLength), null, 2),
  );
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab), null, 2));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(maxLength), null, 2));
  return sha256;
}

function tinyVocab(): string[] {
  return [
    ...new Set([
      ...SPECIAL_TOKENS,
      ...WORDS,
      ...LETTERS,
      ...LETTERS.map((letter) => `##${letter}`),
      ...PUNCTUATION,
    ]),
  ];
}

export interface TinyCrossEncoderOptions {
  /** Directory name under `parent`. Default `tiny-cross-encoder`. */
  name?: string;
  /** The word whose occurrences in the passage are the score; must be in the tiny vocabulary. Default `banana`. */
  word?: string;
  /** tokenizer_config.json model_max_length. Default 64. */
  maxLength?: number;
}

export interface TinyCrossEncoder {
  dir: string;
  word: string;
  /** sha256 (hex) of onnx/model.onnx. */
  sha256: string;
}

/**
 * A cross-encoder in Hugging Face layout (BertForSequenceClassification, one logit) whose score is exactly
 * the number of times `word` occurs in the passage, the second segment of the (query, passage) pair:
 * logits = ReduceSum((input_ids == word) * token_type_ids * attention_mask, axis 1). Tests can then say
 * which order reranking must produce without trusting the code under test.
 */
export async function writeTinyCrossEncoder(
  parent: string,
  options: TinyCrossEncoderOptions = {},
): Promise<TinyCrossEncoder> {
  const name = options.name ?? 'tiny-cross-encoder';
  const word = options.word ?? 'banana';
  const maxLength = options.maxLength ?? 64;
  const dir = join(parent, name);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const vocab = tinyVocab();
  const wordId = vocab.indexOf(word);
  if (wordId < 0) throw new Error(`"${word}" is not in the tiny vocabulary`);
  const bytes = encodeCrossEncoder(wordId);
  await writeFile(join(dir, 'onnx', 'model.onnx'), bytes);
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify(
      {
        ...bertConfig(vocab.length, 8, maxLength),
        architectures: ['BertForSequenceClassification'],
        id2label: { '0': 'LABEL_0' },
        label2id: { LABEL_0: 0 },
      },
      null,
      2,
    ),
  );
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab), null, 2));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(maxLength), null, 2));
  return { dir, word, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function encodeCrossEncoder(wordId: number): Uint8Array {
  const int64 = onnx.TensorProto.DataType.INT64;
  const float = onnx.TensorProto.DataType.FLOAT;
  const dims = (...names: Array<string | number>): Onnx.ITensorShapeProto => ({
    dim: names.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
  });
  const input = (name: string): Onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: int64, shape: dims('batch_size', 'sequence_length') } },
  });
  const toFloat = (from: string, to: string): Onnx.INodeProto => ({
    opType: 'Cast',
    input: [from],
    output: [to],
    name: `cast_${from}`,
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: float }],
  });
  const graph: Onnx.IGraphProto = {
    name: 'tiny-cross-encoder',
    input: [input('input_ids'), input('attention_mask'), input('token_type_ids')],
    output: [{ name: 'logits', type: { tensorType: { elemType: float, shape: dims('batch_size', 1) } } }],
    initializer: [
      { name: 'word_id', dims: [], dataType: int64, int64Data: [wordId] },
      { name: 'sequence_axis', dims: [1], dataType: int64, int64Data: [1] },
    ],
    node: [
      { opType: 'Equal', input: ['input_ids', 'word_id'], output: ['is_word'], name: 'equal_word' },
      toFloat('is_word', 'word_float'),
      toFloat('token_type_ids', 'passage_float'),
      toFloat('attention_mask', 'mask_float'),
      { opType: 'Mul', input: ['word_float', 'passage_float'], output: ['in_passage'], name: 'mul_passage' },
      { opType: 'Mul', input: ['in_passage', 'mask_float'], output: ['counted'], name: 'mul_mask' },
      {
        opType: 'ReduceSum',
        input: ['counted', 'sequence_axis'],
        output: ['logits'],
        name: 'count',
        attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      },
    ],
  };
  const model: Onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'rag-studio-mcp tests',
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/**
 * last_hidden_state = (Gather(words, input_ids) + Gather(types, token_type_ids)) * attention_mask:
 * a valid BERT-shaped encoder with no attention, so equal tokens give equal rows and padding is zero.
 */
function encodeModel(
  wordTable: Float32Array,
  typeTable: Float32Array,
  vocabSize: number,
  hidden: number,
): Uint8Array {
  const int64 = onnx.TensorProto.DataType.INT64;
  const float = onnx.TensorProto.DataType.FLOAT;
  const dims = (...names: Array<string | number>): Onnx.ITensorShapeProto => ({
    dim: names.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
  });
  const valueInfo = (
    name: string,
    elemType: number,
    shape: Onnx.ITensorShapeProto,
  ): Onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape } },
  });
  const floatTensor = (name: string, shape: number[], values: Float32Array): Onnx.ITensorProto => ({
    name,
    dims: shape,
    dataType: float,
    rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
  });
  const int64Tensor = (name: string, values: number[]): Onnx.ITensorProto => ({
    name,
    dims: [values.length],
    dataType: int64,
    int64Data: values,
  });

  const graph: Onnx.IGraphProto = {
    name: 'tiny-bert',
    input: [
      valueInfo('input_ids', int64, dims('batch_size', 'sequence_length')),
      valueInfo('attention_mask', int64, dims('batch_size', 'sequence_length')),
      valueInfo('token_type_ids', int64, dims('batch_size', 'sequence_length')),
    ],
    output: [valueInfo('last_hidden_state', float, dims('batch_size', 'sequence_length', hidden))],
    initializer: [
      floatTensor('word_embeddings', [vocabSize, hidden], wordTable),
      floatTensor('token_type_embeddings', [2, hidden], typeTable),
      int64Tensor('last_axis', [-1]),
    ],
    node: [
      { opType: 'Gather', input: ['word_embeddings', 'input_ids'], output: ['words'], name: 'gather_words' },
      {
        opType: 'Gather',
        input: ['token_type_embeddings', 'token_type_ids'],
        output: ['types'],
        name: 'gather_types',
      },
      { opType: 'Add', input: ['words', 'types'], output: ['summed'], name: 'add' },
      {
        opType: 'Cast',
        input: ['attention_mask'],
        output: ['mask_float'],
        name: 'cast_mask',
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: float }],
      },
      {
        opType: 'Unsqueeze',
        input: ['mask_float', 'last_axis'],
        output: ['mask_3d'],
        name: 'unsqueeze_mask',
      },
      { opType: 'Mul', input: ['summed', 'mask_3d'], output: ['last_hidden_state'], name: 'apply_mask' },
    ],
  };
  const model: Onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'rag-studio-mcp tests',
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Rounds to 255 levels over the table's range: a stand-in for a quantized export that still loads as float. */
function quantize8(table: Float32Array): Float32Array {
  let max = 0;
  for (const value of table) max = Math.max(max, Math.abs(value));
  const step = max / 127;
  return table.map((value) => Math.round(value / step) * step);
}

function bertConfig(vocabSize: number, hidden: number, maxLength: number): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: hidden,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    intermediate_size: hidden,
    max_position_embeddings: maxLength,
    type_vocab_size: 2,
    vocab_size: vocabSize,
    pad_token_id: 0,
  };
}

function tokenizerJson(vocab: string[]): Record<string, unknown> {
  const ids = Object.fromEntries(vocab.map((token, index) => [token, index]));
  const specialId = (token: string): number => {
    const id = ids[token];
    if (id === undefined) throw new Error(`missing special token ${token}`);
    return id;
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: specialId(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [specialId('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [specialId('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

function tokenizerConfig(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: maxLength,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  };
}
