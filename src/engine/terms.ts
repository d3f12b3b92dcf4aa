// Terms: the engine's names for its operations, arguments and settings, marked in its texts so each caller spells them.
import type { EngineLimits } from './types.js';

/** Engine verbs a message tells the caller to use next, by their engine names. */
export const OPERATIONS = [
  'search',
  'createGeneration',
  'promoteGeneration',
  'setGoldenQueries',
  'compareGenerations',
] as const;
export type OperationRef = (typeof OPERATIONS)[number];

/** Request fields a message names, by their engine (camelCase) names. */
export const ARGUMENTS = ['copyFromActive', 'maxTokens', 'ifRevision', 'expected'] as const;
export type ArgumentRef = (typeof ARGUMENTS)[number];

/**
 * A setting of the engine, by the engine's own name for it (an EngineLimits key, or one of the storage and
 * model settings). The engine never spells it as an env var or a flag: the layer that reads the
 * configuration does (see config/engine-error-text.ts), so the engine keeps no outside words.
 */
export type SettingRef = keyof EngineLimits | (typeof MODEL_AND_STORAGE_SETTINGS)[number];

const MODEL_AND_STORAGE_SETTINGS = [
  'dataDir',
  'readOnly',
  'embeddingModel',
  'modelsDir',
  'offline',
  'hfEndpoint',
  'embeddingPooling',
  'embeddingDtype',
  'embeddingBatch',
  'rerankModel',
] as const;

/** Every limit, so a term naming one is known at run time; a limit added to EngineLimits must be added here. */
const LIMITS: Readonly<Record<keyof EngineLimits, true>> = {
  maxChunksPerCall: true,
  maxContentBytes: true,
  maxMetadataBytes: true,
  maxMetadataDepth: true,
  maxIdLength: true,
  maxQueryLength: true,
  maxLimit: true,
  maxOffset: true,
  maxFilterNodes: true,
  maxFilterDepth: true,
  maxDeleteIds: true,
  maxCitationBytes: true,
  maxSearchCacheBytes: true,
};

/**
 * Engine text: a string that may hold terms such as `{op:promoteGeneration}`. Error messages, search
 * warnings and model status reasons are engine text. `plainText` reads it in engine words; the outer layer
 * spells the same terms as it names them to its callers (MCP tool names, snake_case arguments, env vars).
 */
export type EngineText = string;

export type TermKind = 'op' | 'arg' | 'setting';

/** How one reader names each term. */
export interface TermSpelling {
  op(name: OperationRef): string;
  arg(name: ArgumentRef): string;
  /** Undefined leaves the term as written (a setting this reader cannot name). */
  setting(name: SettingRef): string | undefined;
}

/** An engine verb named in a text, e.g. `then ${op('promoteGeneration')}`. */
export const op = (name: OperationRef): string => `{op:${name}}`;
/** A request field named in a text, e.g. `${arg('maxTokens')} must be…`. */
export const arg = (name: ArgumentRef): string => `{arg:${name}}`;
/** A setting named in a text, e.g. `set ${setting('embeddingModel')} to…`. */
export const setting = (name: SettingRef): string => `{setting:${name}}`;

const TERM = /\{(op|arg|setting):([A-Za-z]+)\}/g;
const KNOWN_OPERATIONS: ReadonlySet<string> = new Set(OPERATIONS);
const KNOWN_ARGUMENTS: ReadonlySet<string> = new Set(ARGUMENTS);
const KNOWN_SETTINGS: ReadonlySet<string> = new Set([...MODEL_AND_STORAGE_SETTINGS, ...Object.keys(LIMITS)]);

/**
 * Replaces each term of `text` with its spelling. Anything else stays as it is, including user text that
 * happens to look like a term: an unknown name is left alone.
 */
export function spellTerms(text: EngineText, spelling: TermSpelling): string {
  return text.replace(TERM, (whole, kind: TermKind, name: string) => {
    if (kind === 'op') return KNOWN_OPERATIONS.has(name) ? spelling.op(name as OperationRef) : whole;
    if (kind === 'arg') return KNOWN_ARGUMENTS.has(name) ? spelling.arg(name as ArgumentRef) : whole;
    return KNOWN_SETTINGS.has(name) ? (spelling.setting(name as SettingRef) ?? whole) : whole;
  });
}

/** The engine's own words: each term is its engine name (`promoteGeneration`, `copyFromActive`, `embeddingModel`). */
export const ENGINE_SPELLING: TermSpelling = { op: (n) => n, arg: (n) => n, setting: (n) => n };

/** Engine text read in engine words. */
export function plainText(text: EngineText): string {
  return spellTerms(text, ENGINE_SPELLING);
}
