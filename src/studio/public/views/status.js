// View 6: the server — version, embedder state and download progress, GC loop, limits.
import { formatBytes, formatNumber, formatTime, h } from '../dom.js';

function pairs(caption, entries, wide = false) {
  return h(
    'section',
    { class: wide ? 'card wide' : 'card' },
    h('h3', {}, caption),
    h(
      'dl',
      { class: wide ? 'columns' : null },
      entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '–')]),
    ),
  );
}

/** Load progress (0–1) while the model loads or downloads; its state otherwise. */
function embedderEntries(embedder) {
  if (!embedder) return [['Model', 'none (lexical search only)']];
  const loading = embedder.state === 'loading' && typeof embedder.progress === 'number';
  const percent = loading ? Math.round(embedder.progress * 100) : null;
  return [
    ['Model', embedder.model],
    ['Dimension', String(embedder.dimension)],
    ['State', embedder.state],
    [
      'Progress',
      loading
        ? h(
            'span',
            {},
            h('progress', { max: 100, value: percent, 'aria-label': 'Model load' }),
            ` ${percent}%`,
          )
        : null,
    ],
    ['Detail', embedder.detail ?? embedder.reason],
  ];
}

export async function renderStatus(studio) {
  const status = await studio.client.readJson('rag-studio://status');
  const gc = status.gc;
  return h(
    'div',
    { class: 'grid' },
    pairs('Server', [
      ['Name', status.name],
      ['Version', status.version],
      ['Data directory', status.data_dir],
      ['Read-only', status.read_only ? 'yes' : 'no'],
      ['Transport', status.transport],
      ['Uptime', `${Math.round(status.uptime_seconds)} s`],
    ]),
    pairs('Embedder', embedderEntries(status.embedder)),
    pairs('Garbage collection', [
      ['Interval', gc.interval_seconds === 0 ? 'off' : `${gc.interval_seconds} s`],
      ['Running', gc.running ? 'yes' : 'no'],
      ['Last run', formatTime(gc.last_run_at)],
      ['Last reclaimed', formatBytes(gc.last_reclaimed_bytes ?? 0)],
      ['Last error', gc.last_error],
    ]),
    pairs(
      'Limits',
      Object.entries(status.limits).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : String(v)]),
      true,
    ),
  );
}
