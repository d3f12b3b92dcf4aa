// Markdown front matter (YAML between --- lines) → chunk metadata that the engine's rules accept.
import { parse } from 'yaml';
import type { JsonValue } from '../engine/types.js';

/** Keys the engine accepts in metadata (filters reach them as metadata.<key>). */
const KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** Front matter larger than this (as JSON) is dropped: every chunk carries a copy. */
const MAX_FRONT_MATTER_JSON = 4096;

export interface FrontMatter {
  metadata: Record<string, JsonValue>;
  /** Lines the front matter occupies (0 when there is none); the body starts after them. */
  lineCount: number;
}

/** Reads `---\n…\n---` at the very start. Bad YAML leaves the block as text rather than failing the file. */
export function readFrontMatter(lines: readonly string[]): FrontMatter {
  if (lines[0]?.trim() !== '---') return { metadata: {}, lineCount: 0 };
  const end = lines.findIndex((line, i) => i > 0 && (line.trim() === '---' || line.trim() === '...'));
  if (end < 0) return { metadata: {}, lineCount: 0 };
  let parsed: unknown;
  try {
    parsed = parse(lines.slice(1, end).join('\n'));
  } catch {
    return { metadata: {}, lineCount: 0 };
  }
  const metadata = toJson(parsed, 0);
  const object =
    metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : {};
  return {
    metadata: JSON.stringify(object).length <= MAX_FRONT_MATTER_JSON ? object : {},
    lineCount: end + 1,
  };
}

/** YAML values → JSON the engine stores: dates as ISO strings, odd keys and deep nesting dropped. */
function toJson(value: unknown, depth: number): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (depth >= 4) return null;
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (KEY.test(key) && key !== '__proto__') out[key] = toJson(v, depth + 1);
    }
    return out;
  }
  return String(value);
}
