// Spotting misspelled settings: every RAG_STUDIO_* variable the server does not read, with the closest one it does.
import { LIMIT_SETTINGS, SETTINGS, type SettingSpec } from './config-settings.js';
import { editDistance } from './edit-distance.js';

const PREFIX = 'RAG_STUDIO_';

/** Variables read by the test suite and its harnesses, not by the server: setting them is not a typo. */
const TEST_SUITE_ENV: readonly string[] = [
  'RAG_STUDIO_SKIP_MOUNT_TESTS',
  'RAG_STUDIO_FUZZ_SEED',
  'RAG_STUDIO_FUZZ_REPORT',
  'RAG_STUDIO_CRASH_TRIALS',
  'RAG_STUDIO_STORAGE_REPORT',
  'RAG_STUDIO_CONCURRENCY_SECONDS',
];

/** Every RAG_STUDIO_* name the server reads. */
export function knownEnvNames(): string[] {
  const names = (Object.values(SETTINGS) as SettingSpec[]).flatMap((s) => s.env);
  return [...names, ...LIMIT_SETTINGS.map((l) => l.env)].filter((name) => name.startsWith(PREFIX));
}

/**
 * One warning per RAG_STUDIO_* variable that no setting reads, naming the closest known one when it is
 * near enough to be a typo, e.g. RAG_STUDIO_EMBEDING_MODEL → RAG_STUDIO_EMBEDDING_MODEL.
 */
export function unknownEnvWarnings(env: Record<string, string | undefined>): string[] {
  const known = knownEnvNames();
  const ignored = new Set([...known, ...TEST_SUITE_ENV]);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(PREFIX) || ignored.has(name)) continue;
    const closest = closestName(name, known);
    warnings.push(
      `unknown setting ${name} is ignored; ` +
        (closest === undefined
          ? 'run with --help for the settings'
          : `did you mean ${closest}? (--help lists every setting)`),
    );
  }
  return warnings;
}

/** The known name with the smallest edit distance, if within a third of the name's length. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.slice(PREFIX.length), candidate.slice(PREFIX.length));
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  const tolerance = Math.max(2, Math.ceil((name.length - PREFIX.length) / 3));
  return best !== undefined && best.distance <= tolerance ? best.name : undefined;
}
