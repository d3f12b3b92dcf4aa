// View 6: the server — version, embedder state and download progress, GC loop, limits.
import { formatBytes, formatTime, h, table } from '../dom.js';

function pairs(caption, entries) {
  return h(
    'section',
    { class: 'card' },
    h('h3', {}, caption),
    h(
      'dl',
      {},
      entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '–')]),
    ),
  );
}

export async function renderStatus(studio) {
  const status = await studio.client.readJson('rag-studio://status');
  const embedder = status.embedder;
  const progress = embedder?.progress;
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
    pairs(
      'Embedder',
      embedder
        ? [
            ['Model', embedder.model],
            ['Dimension', String(embedder.dimension)],
            ['State', embedder.state],
            [
              'Progress',
              typeof progress === 'number'
                ? h('progress', { max: 100, value: progress, 'aria-label': 'Model download' }, `${progress}%`)
                : null,
            ],
            ['Detail', embedder.detail ?? embedder.reason],
          ]
        : [['Model', 'none (lexical search only)']],
    ),
    pairs('Garbage collection', [
      ['Interval', gc.interval_seconds === 0 ? 'off' : `${gc.interval_seconds} s`],
      ['Running', gc.running ? 'yes' : 'no'],
      ['Last run', formatTime(gc.last_run_at)],
      ['Last reclaimed', formatBytes(gc.last_reclaimed_bytes ?? 0)],
      ['Last error', gc.last_error],
    ]),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, 'Limits'),
      table(
        'Limits',
        ['Limit', 'Value'],
        Object.entries(status.limits).map(([k, v]) =>
          h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'num' }, String(v))),
        ),
      ),
    ),
  );
}
