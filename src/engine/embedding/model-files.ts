// Where a model's files live on disk, which ONNX file (dtype) to use, and the error when they are missing offline.
import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { EngineError } from '../errors.js';
import { setting, type EngineText, type SettingRef } from '../terms.js';
import { MODEL_FILE_MAX_BYTES, readSmallRegularFileSync } from './model-file-checks.js';
import type { ModelProfile } from './known-models.js';
import { MODEL_DTYPES, type EmbeddingSettings } from './settings.js';

export type ModelDtype = NonNullable<EmbeddingSettings['dtype']>;

/** transformers.js picks `onnx/model<suffix>.onnx` by dtype; mirrored here so we can check the disk first. */
const DTYPE_FILE_SUFFIX: Readonly<Record<ModelDtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
};

export { MODEL_DTYPES };

/** Files every feature-extraction model needs besides its ONNX weights. */
export const REQUIRED_MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

export interface ModelSource {
  /** `local`: an absolute directory we never download into. `hub`: an id, cached under modelsDir/<id>. */
  kind: 'local' | 'hub';
  /** What transformers.js is given: the absolute directory, or the hub id. */
  pathOrId: string;
  /** Where the files are (or will be, once downloaded). */
  directory: string;
}

export interface ModelFilePlan {
  dtype: ModelDtype;
  /** ONNX file relative to the model directory, e.g. `onnx/model_quantized.onnx`. */
  onnxFile: string;
  /** Files of the plan not on disk (relative paths); empty when the model can load without network. */
  missing: string[];
}

/**
 * What a model is for, in the words its errors use: which setting chooses it and what works without it.
 * The texts are engine text: settings are named as terms, which the outer layer spells as env vars.
 */
export interface ModelRole {
  task: 'embed' | 'rerank';
  /** @example 'embedding model' */
  noun: string;
  /** @example 'embedder' */
  closedName: string;
  /** @example 'embedding worker' */
  worker: string;
  /** The setting that chooses the model. */
  setting: SettingRef;
  /** What picks another ONNX file. @example setting('embeddingDtype') */
  dtypeChoice: EngineText;
  /** @example 'feature-extraction' */
  exportKind: string;
  /** The model-setting values that avoid this model. */
  chooseAnother: EngineText;
  /** The last resort of a missing-model error. */
  fallback: EngineText;
  /** What still works while the model is unavailable. */
  meanwhile: string;
}

export const EMBEDDING_ROLE: ModelRole = {
  task: 'embed',
  noun: 'embedding model',
  closedName: 'embedder',
  worker: 'embedding worker',
  setting: 'embeddingModel',
  dtypeChoice: setting('embeddingDtype'),
  exportKind: 'feature-extraction',
  chooseAnother: `${setting('embeddingModel')}: a local model folder, or "none" for lexical search only; see README "Embedding models"`,
  fallback: `set ${setting('embeddingModel')}=hash for a non-semantic offline embedder`,
  meanwhile: 'Lexical search works meanwhile.',
};

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/** Validates the model setting and says where its files belong. */
export function resolveModelSource(settings: EmbeddingSettings): ModelSource {
  const model = settings.model.trim();
  if (model.length === 0) {
    throw new EngineError(
      'INVALID_INPUT',
      `embedding model is empty: set ${setting('embeddingModel')} to a Hugging Face id, an absolute directory, or "hash"`,
    );
  }
  if (isAbsolute(model)) return { kind: 'local', pathOrId: model, directory: model };
  if (!HUB_ID.test(model) || model.includes('..') || model.includes('--')) {
    throw new EngineError(
      'INVALID_INPUT',
      `embedding model "${model}" is neither a Hugging Face id (owner/name) nor an absolute directory path; relative paths are not accepted because the working directory of an MCP server is unpredictable`,
    );
  }
  if (!isAbsolute(settings.modelsDir)) {
    throw new EngineError(
      'INVALID_INPUT',
      `models directory must be an absolute path, got "${settings.modelsDir}"`,
      { setting: 'modelsDir' },
    );
  }
  return { kind: 'hub', pathOrId: model, directory: join(settings.modelsDir, ...model.split('/')) };
}

/**
 * Picks the dtype from the settings, else from the disk (q8 when `onnx/model_quantized.onnx` exists,
 * else fp32), else from the known-model table for ids still to be downloaded (unknown ids: fp32, which
 * every ONNX export has), and lists what is missing.
 */
export async function planModelFiles(
  source: ModelSource,
  settings: EmbeddingSettings,
  profile: Pick<ModelProfile, 'dtype'>,
): Promise<ModelFilePlan> {
  const onnxFileFor = (dtype: ModelDtype): string => `onnx/model${DTYPE_FILE_SUFFIX[dtype]}.onnx`;
  let dtype: ModelDtype;
  if (settings.dtype !== undefined) {
    dtype = settings.dtype;
  } else if (await exists(join(source.directory, onnxFileFor('q8')))) {
    dtype = 'q8';
  } else if (await exists(join(source.directory, onnxFileFor('fp32')))) {
    dtype = 'fp32';
  } else {
    dtype = source.kind === 'hub' ? (profile.dtype ?? 'fp32') : 'fp32';
  }
  const onnxFile = onnxFileFor(dtype);
  const missing: string[] = [];
  for (const file of [...REQUIRED_MODEL_FILES, onnxFile]) {
    if (!(await exists(join(source.directory, file)))) missing.push(file);
  }
  return { dtype, onnxFile, missing };
}

/** EMBEDDER_UNAVAILABLE naming the model, the directory its files were expected in, and the ways out. */
export function missingModelError(
  model: string,
  source: ModelSource,
  plan: ModelFilePlan,
  role: ModelRole = EMBEDDING_ROLE,
): EngineError {
  const missing = plan.missing.join(', ');
  const why =
    source.kind === 'local'
      ? `the local model directory "${source.directory}" lacks ${missing}`
      : `offline mode is on and "${source.directory}" lacks ${missing}`;
  const remedy =
    source.kind === 'local'
      ? `Put a Hugging Face-layout export there (config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx or onnx/model.onnx), point ${setting(role.setting)} at a directory that has one`
      : `Run once with network access (unset ${setting('offline')}) so it downloads there (${setting('modelsDir')}), or copy the model files into that directory`;
  return new EngineError(
    'EMBEDDER_UNAVAILABLE',
    `${role.noun} "${model}" (dtype ${plan.dtype}) is not available: ${why}. ${remedy}, or ${role.fallback}. ${role.meanwhile}`,
    { details: { model, directory: source.directory, missing: plan.missing, dtype: plan.dtype } },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * hidden_size from a config.json already on disk: the output width of encoder models, before loading.
 * Synchronous because `Embedder.dimension` is a property; it reads one small regular file, once, and never
 * blocks on a FIFO or reads a device or a huge file (those count as no config).
 */
export function readConfiguredHiddenSize(directory: string): number | undefined {
  const text = readSmallRegularFileSync(join(directory, 'config.json'), MODEL_FILE_MAX_BYTES['config.json']!);
  if (text === undefined) return undefined;
  try {
    const config = JSON.parse(text) as {
      hidden_size?: unknown;
    };
    return typeof config.hidden_size === 'number' ? config.hidden_size : undefined;
  } catch {
    return undefined;
  }
}
