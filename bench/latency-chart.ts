// Hand-written SVG: hybrid p50 latency against corpus size, one line per system, log-log axes.
import { formatCount, SYSTEM_LABELS, SYSTEMS, type BenchResults, type SystemName } from './results-model.js';

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 70, right: 230, top: 40, bottom: 60 };
const COLORS: Record<SystemName, string> = {
  engine: '#1f77b4',
  mcp: '#9467bd',
  mcp64: '#c5b0d5',
  raw: '#2ca02c',
  orama: '#d62728',
};

export function latencyChartSvg(
  results: BenchResults,
  mode: 'hybrid' | 'vector' | 'lexical' = 'hybrid',
): string {
  const series = SYSTEMS.map((system) => ({
    system,
    points: results.sizes
      .map((s) => ({ size: s.size, p50: s.latency[system]?.[mode]?.p50 }))
      .filter((p): p is { size: number; p50: number } => p.p50 !== undefined && p.p50 > 0),
  })).filter((s) => s.points.length > 0);
  const sizes = results.sizes.map((s) => s.size);
  const values = series.flatMap((s) => s.points.map((p) => p.p50));
  const x = logScale(Math.min(...sizes) / 2, Math.max(...sizes) * 2, MARGIN.left, WIDTH - MARGIN.right);
  const yMin = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 1))));
  const yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 10))));
  const y = logScale(yMin, yMax, HEIGHT - MARGIN.bottom, MARGIN.top);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${mode} search p50 latency vs corpus size (${results.machine.cores} cores)</text>`,
  );
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(decade).toFixed(1)}" y2="${y(decade).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${(y(decade) + 4).toFixed(1)}" text-anchor="end">${decade >= 1 ? decade : decade.toFixed(1)} ms</text>`,
    );
  }
  for (const size of sizes) {
    parts.push(
      `<line x1="${x(size).toFixed(1)}" x2="${x(size).toFixed(1)}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#eee"/>`,
      `<text x="${x(size).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${formatCount(size)}</text>`,
    );
  }
  parts.push(
    `<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 18}" text-anchor="middle">chunks (log scale)</text>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
  );
  series.forEach(({ system, points }, i) => {
    const color = COLORS[system];
    const path = points.map((p) => `${x(p.size).toFixed(1)},${y(p.p50).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of points) {
      parts.push(
        `<circle cx="${x(p.size).toFixed(1)}" cy="${y(p.p50).toFixed(1)}" r="3.5" fill="${color}"><title>${SYSTEM_LABELS[system]}: ${p.p50} ms at ${formatCount(p.size)}</title></circle>`,
      );
    }
    const ly = MARGIN.top + 10 + i * 22;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 15}" x2="${WIDTH - MARGIN.right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 46}" y="${ly + 4}">${escapeXml(SYSTEM_LABELS[system])}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function logScale(
  domainMin: number,
  domainMax: number,
  rangeMin: number,
  rangeMax: number,
): (v: number) => number {
  const a = Math.log10(domainMin);
  const b = Math.log10(domainMax);
  return (v) => rangeMin + ((Math.log10(v) - a) / (b - a)) * (rangeMax - rangeMin);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
