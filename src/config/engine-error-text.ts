// Engine text as the server's callers read it: terms spelled as MCP tool names, tool arguments and env vars.
import { SETTING_MARKER, type EngineError } from '../engine/errors.js';
import {
  spellTerms,
  type ArgumentRef,
  type EngineText,
  type OperationRef,
  type SettingRef,
  type TermSpelling,
} from '../engine/terms.js';
import type { EngineLimits } from '../engine/types.js';
import { LIMIT_SETTINGS, SETTINGS, type SettingKey } from './config-settings.js';

/** The tool that does each engine verb a message names. */
export const OPERATION_TOOLS: Readonly<Record<OperationRef, string>> = {
  search: 'hybrid_search',
  createGeneration: 'create_generation',
  promoteGeneration: 'promote_generation',
  setGoldenQueries: 'set_golden_queries',
  compareGenerations: 'compare_generations',
};

/** The tool argument each request field a message names is sent as. */
export const ARGUMENT_NAMES: Readonly<Record<ArgumentRef, string>> = {
  copyFromActive: 'copy_from_active',
  maxTokens: 'max_tokens',
  ifRevision: 'if_revision',
  expected: 'expected_document_ids',
};

// Every setting the engine may name has an env var here; a new SettingRef that is no setting fails to compile.
const SETTING_KEYS_EXIST: Exclude<SettingRef, keyof EngineLimits> extends SettingKey ? true : never = true;
void SETTING_KEYS_EXIST;

/** The env vars of a setting the engine names in its own terms (an EngineLimits key or a SETTINGS key). */
function settingEnvVars(setting: SettingRef): readonly string[] | undefined {
  const limit = LIMIT_SETTINGS.find((l) => l.key === setting);
  if (limit) return [limit.env];
  return (SETTINGS as Partial<Record<string, { env: readonly string[] }>>)[setting]?.env;
}

/** The env var that sets it (the documented one, when aliases exist). */
export function settingEnvVar(setting: SettingRef): string {
  return settingEnvVars(setting)?.[0] ?? setting;
}

/**
 * How the MCP tools, the CLI and server start name the terms. A setting read from several env vars is named
 * with all of them (`RAG_STUDIO_OFFLINE and HF_HUB_OFFLINE`): turning it off takes unsetting each.
 */
export const CALLER_SPELLING: TermSpelling = {
  op: (name) => OPERATION_TOOLS[name],
  arg: (name) => ARGUMENT_NAMES[name],
  setting: (name) => settingEnvVars(name)?.join(' and '),
};

/** Engine text (search warnings, model status reasons) in the words the server's callers use. */
export function callerText(text: EngineText): string {
  return spellTerms(text, CALLER_SPELLING);
}

/**
 * `CODE: message (RAG_STUDIO_X)`: the engine says what was wrong in its own words; the names its callers
 * use (tools, arguments, the env var that changes the outcome) are added here, where they are spelled, so
 * the MCP tools, the CLI and server start all name them.
 */
export function engineErrorText(error: EngineError): string {
  const text = `${error.code}: ${error.text}`;
  if (error.setting === undefined) return callerText(text);
  const pointer = ` (${settingEnvVar(error.setting)})`;
  const at = text.indexOf(SETTING_MARKER);
  const pointed =
    at >= 0
      ? `${text.slice(0, at)}${pointer}${text.slice(at + SETTING_MARKER.length)}`
      : text.endsWith('.')
        ? `${text.slice(0, -1)}${pointer}.`
        : `${text}${pointer}`;
  return callerText(pointed);
}
