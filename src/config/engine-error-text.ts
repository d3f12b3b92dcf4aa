// An EngineError as its callers read it: the code, the engine's message and, when it points at a setting, how to set it.
import type { EngineError, SettingRef } from '../engine/errors.js';
import { LIMIT_SETTINGS, SETTINGS } from './config-settings.js';

/** The env var of a setting the engine names in its own terms (an EngineLimits key or a SETTINGS key). */
export function settingEnvVar(setting: SettingRef): string {
  const limit = LIMIT_SETTINGS.find((l) => l.key === setting);
  if (limit) return limit.env;
  return SETTINGS[setting as keyof typeof SETTINGS].env[0]!;
}

/**
 * `CODE: message (RAG_STUDIO_X)`: the engine says what was wrong in its own words; the env var that changes
 * it is added here, where settings are spelled, so the MCP tools, the CLI and server start all name it.
 */
export function engineErrorText(error: EngineError): string {
  const text = `${error.code}: ${error.message}`;
  if (error.setting === undefined) return text;
  const pointer = ` (${settingEnvVar(error.setting)})`;
  if (error.settingAt !== undefined) {
    const at = error.code.length + 2 + error.settingAt;
    return `${text.slice(0, at)}${pointer}${text.slice(at)}`;
  }
  return text.endsWith('.') ? `${text.slice(0, -1)}${pointer}.` : `${text}${pointer}`;
}
