// Markdown tables for the torture program: crash trials per operation, and the concurrency run's numbers.
import type { ConcurrencyReport } from '../test/reliability/harness/concurrency-run.js';
import type { ScenarioSummary } from '../test/reliability/harness/crash-trial.js';

export function crashTable(summaries: ScenarioSummary[]): string {
  const rows = summaries.map((s) => {
    const during = Object.entries(s.killedDuring)
      .sort(([, a], [, b]) => b - a)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    return `| ${s.name} | ${s.trials} | ${s.trialsWithAcks} | ${s.acked} | ${during} | ${s.violations} |`;
  });
  const examples = summaries.flatMap((s) => s.examples.map((e) => `- ${s.name}, ${e}`));
  return [
    '| operation | trials | trials killed after ≥ 1 ack | acknowledged calls | in flight at the kill | invariant violations |',
    '| --- | ---: | ---: | ---: | --- | ---: |',
    ...rows,
    ...(examples.length > 0 ? ['', 'Violations (first ones):', ...examples] : []),
  ].join('\n');
}

export function concurrencyTable(r: ConcurrencyReport): string {
  const ops = Object.entries(r.perOp)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, s]) => `| ${op} | ${s.calls} | ${s.conflicts} | ${s.p50Ms} | ${s.p95Ms} | ${s.maxMs} |`);
  const conflicts = Object.entries(r.conflicts)
    .map(([key, n]) => `${key} × ${n}`)
    .join(', ');
  return [
    `${r.clients} clients over HTTP for ${r.seconds} s: ${r.calls} calls, ${r.throughput} calls/s, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms; ` +
      `${r.checkedGenerations} generations / ${r.checkedChunks} chunks checked against the acknowledged writes; ` +
      `${r.violations.length} violations.`,
    '',
    '| call | count | documented conflicts | p50 ms | p95 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...ops,
    '',
    `Documented conflicts: ${conflicts || 'none'}.`,
    ...(r.violations.length > 0 ? ['', 'Violations:', ...r.violations.map((v) => `- ${v}`)] : []),
  ].join('\n');
}
