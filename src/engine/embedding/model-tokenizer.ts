// The model's own tokenizer on the main thread, loaded lazily from the files already on disk: counts tokens for chunk sizing.

/** Counts the tokens of each text (no [CLS]/[SEP] or other special tokens). */
export type BatchTokenCounter = (texts: string[]) => number[];

interface Tokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
}

/**
 * Loads `tokenizer.json` of a model already present under `modelsDir` (or at an absolute path), never from
 * the network. Only the tokenizer is built here: ONNX Runtime stays in the worker thread. Tokenizing is pure
 * JavaScript and fast (~1 µs per word), so callers batch a document's words in one call instead of
 * round-tripping to the busy embedding worker.
 */
export async function loadModelTokenizer(pathOrId: string, modelsDir: string): Promise<BatchTokenCounter> {
  const { env, AutoTokenizer } = await import('@huggingface/transformers');
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = modelsDir;
  env.cacheDir = modelsDir;
  const tokenizer = (await AutoTokenizer.from_pretrained(pathOrId, {
    local_files_only: true,
  })) as unknown as Tokenizer;
  return (texts) => texts.map((text) => tokenizer.encode(text, { add_special_tokens: false }).length);
}
