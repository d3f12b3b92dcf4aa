// Reading one setting from its CLI flag or env vars, typed and validated, failing with a one-line ConfigError.
import { SETTINGS, type SettingKey, type SettingSpec } from './config-settings.js';

/** Bad configuration. `message` is one line naming the setting, the value and what is accepted. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads one setting from its flag, else its env vars; empty env values count as unset. */
export function reader(
  flags: Record<string, string | boolean | undefined>,
  env: Record<string, string | undefined>,
) {
  const spec = (key: SettingKey): SettingSpec => SETTINGS[key];
  const rawFrom = (
    flag: string,
    envNames: readonly string[],
  ): { value: string | boolean; source: string } | undefined => {
    const fromFlag = flags[flag];
    if (fromFlag !== undefined) return { value: fromFlag, source: `--${flag}` };
    for (const name of envNames) {
      const value = env[name];
      if (value !== undefined && value !== '') return { value, source: name };
    }
    return undefined;
  };
  const raw = (key: SettingKey) => rawFrom(spec(key).flag, spec(key).env);
  const integerFrom = (
    flag: string,
    envNames: readonly string[],
    min: number,
    max: number,
  ): number | undefined => {
    const found = rawFrom(flag, envNames);
    if (found === undefined) return undefined;
    const text = String(found.value).trim();
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(
        `${found.source} must be an integer in ${min}..${max}, got "${String(found.value)}"`,
      );
    }
    return value;
  };
  return {
    source: (key: SettingKey): string => raw(key)?.source ?? spec(key).env[0] ?? `--${spec(key).flag}`,
    string: (key: SettingKey): string | undefined => {
      const found = raw(key);
      return found === undefined ? undefined : String(found.value);
    },
    integer: (key: SettingKey, min: number, max: number) =>
      integerFrom(spec(key).flag, spec(key).env, min, max),
    integerFrom,
    /** True when the flag is given or any of the env vars is truthy (RAG_STUDIO_OFFLINE or HF_HUB_OFFLINE). */
    anyBoolean: (key: SettingKey): boolean => {
      if (flags[spec(key).flag] === true) return true;
      return spec(key).env.some((name) => {
        const value = env[name];
        if (value === undefined || value === '') return false;
        const parsed = parseBoolean(value);
        if (parsed === undefined)
          throw new ConfigError(`${name} must be 1/0, true/false, yes/no or on/off, got "${value}"`);
        return parsed;
      });
    },
    oneOf: <T extends string>(key: SettingKey, allowed: readonly T[]): T | undefined => {
      const found = raw(key);
      if (found === undefined) return undefined;
      const value = String(found.value);
      if (!(allowed as readonly string[]).includes(value)) {
        throw new ConfigError(`${found.source} must be one of ${allowed.join(', ')}, got "${value}"`);
      }
      return value as T;
    },
    url: (key: SettingKey): string | undefined => {
      const found = raw(key);
      if (found === undefined) return undefined;
      const value = String(found.value);
      if (!/^https?:\/\/[^/]/i.test(value) || !URL.canParse(value)) {
        throw new ConfigError(`${found.source} must be an http(s) URL, got "${value}"`);
      }
      return value.replace(/\/+$/, '');
    },
    list: (key: SettingKey): string[] | undefined => {
      const found = raw(key);
      if (found === undefined) return undefined;
      const items = String(found.value)
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter((item) => item !== '');
      if (items.length === 0) throw new ConfigError(`${found.source} must list at least one value`);
      return items;
    },
  };
}

function parseBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return undefined;
}

export type SettingsReader = ReturnType<typeof reader>;
