// Running crash trials: copy a template data dir, start a victim, SIGKILL it at a random moment, verify invariants.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ENGINE_CHILD = fileURLToPath(new URL('../../fixtures/crash-engine-child.mjs', import.meta.url));

/** One kind of crash trial; `trial` returns the invariant violations found (empty = the store survived). */
export interface CrashScenario {
  /** Row label of the torture table, e.g. `promote_generation`. */
  name: string;
  /** Builds the starting data dir(s) under `templateRoot` once, before any trial. */
  prepare(templateRoot: string): Promise<void>;
  /** Runs one trial in a fresh copy; `random` picks the kill moment and any variant. */
  trial(templateRoot: string, workDir: string, random: () => number): Promise<TrialResult>;
}

export interface TrialResult {
  violations: string[];
  /** Calls the victim acknowledged before it died. */
  acked: number;
  /** What the victim was doing when it died, e.g. `gc`, `promote`, or `idle`. */
  killedDuring: string;
}

export interface ScenarioSummary {
  name: string;
  trials: number;
  violations: number;
  acked: number;
  /** Trials that died with at least one acknowledged call: the kill landed after real work. */
  trialsWithAcks: number;
  /** Trials per operation in flight at the kill. */
  killedDuring: Record<string, number>;
  examples: string[];
}

/**
 * Runs `trials` trials of one scenario, each in its own copy of the template. With `minTrialsWithAcks`, it goes
 * on (up to `maxTrials`) until that many kills landed after acknowledged work: on a slow machine more kills land
 * before the first call returns, and those trials prove less.
 */
export async function runScenario(
  scenario: CrashScenario,
  trials: number,
  random: () => number,
  onTrial?: (index: number, result: TrialResult) => void,
  more: { minTrialsWithAcks: number; maxTrials: number } = { minTrialsWithAcks: 0, maxTrials: trials },
): Promise<ScenarioSummary> {
  const root = await mkdtemp(join(tmpdir(), 'rag-studio-crash-'));
  const summary: ScenarioSummary = {
    name: scenario.name,
    trials,
    violations: 0,
    acked: 0,
    trialsWithAcks: 0,
    killedDuring: {},
    examples: [],
  };
  try {
    const templateRoot = join(root, 'template');
    await scenario.prepare(templateRoot);
    for (
      let i = 0;
      i < trials || (summary.trialsWithAcks < more.minTrialsWithAcks && i < more.maxTrials);
      i++
    ) {
      summary.trials = i + 1;
      const workDir = join(root, `trial-${i}`);
      const result = await scenario.trial(templateRoot, workDir, random).catch((error: unknown) => ({
        violations: [`trial failed: ${String(error instanceof Error ? error.stack : error).slice(0, 600)}`],
        acked: 0,
        killedDuring: 'unknown',
      }));
      summary.killedDuring[result.killedDuring] = (summary.killedDuring[result.killedDuring] ?? 0) + 1;
      summary.acked += result.acked;
      if (result.acked > 0) summary.trialsWithAcks += 1;
      summary.violations += result.violations.length;
      for (const v of result.violations)
        if (summary.examples.length < 10) summary.examples.push(`trial ${i}: ${v}`);
      onTrial?.(i, result);
      await rm(workDir, { recursive: true, force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return summary;
}

export async function copyTemplate(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
}

export interface ChildLog {
  /** Parsed `ack {json}` lines, in order. */
  acks: Array<Record<string, unknown>>;
  /** The last `start {json}` line without its ack: the call in flight when the kill landed. */
  inFlight: Record<string, unknown> | undefined;
  /** Set when the child died some other way than our SIGKILL (a crash of its own is a violation). */
  unexpectedExit?: string;
}

/**
 * Runs the engine child (test/fixtures/crash-engine-child.mjs) on `dataDir`, SIGKILLs it `delayMs` after it
 * reported `ready`, and returns what it acknowledged. stdout lines are written synchronously (a pipe), so an
 * ack line the child wrote before it died is always read.
 */
export function runEngineChild(op: string, dataDir: string, delayMs: number): Promise<ChildLog> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENGINE_CHILD, op, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const log: ChildLog = { acks: [], inFlight: undefined };
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const onLine = (line: string) => {
      const space = line.indexOf(' ');
      const kind = space < 0 ? line : line.slice(0, space);
      const data = space < 0 ? {} : (JSON.parse(line.slice(space + 1)) as Record<string, unknown>);
      if (kind === 'ready') killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      else if (kind === 'start') log.inFlight = data;
      else if (kind === 'ack') {
        log.acks.push(data);
        log.inFlight = undefined;
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL')
        log.unexpectedExit = `child exited with code ${code} / ${signal}: ${stderr.slice(-1500)}`;
      resolve(log);
    });
  });
}

/** A uniformly random kill delay in [0, windowMs). */
export function killDelay(random: () => number, windowMs: number): number {
  return Math.floor(random() * windowMs);
}
