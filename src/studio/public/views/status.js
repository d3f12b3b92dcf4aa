// View 6: the server — version, embedder and reranker state with download progress, GC loop, limits.
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

/** Load progress (0–1) while a model loads or downloads; its state otherwise. */
function modelEntries(model, what) {
  const loading = model.state === 'loading' && typeof model.progress === 'number';
  const percent = loading ? Math.round(model.progress * 100) : null;
  return [
    ['State', model.state],
    [
      'Progress',
      loading
        ? h(
            'span',
            {},
            h('progress', { max: 100, value: percent, 'aria-label': `${what} load` }),
            ` ${percent}%`,
          )
        : null,
    ],
    ['Detail', model.detail ?? model.reason],
  ];
}

function embedderEntries(embedder) {
  if (!embedder) return [['Model', 'none (lexical search only)']];
  return [
    ['Model', embedder.model],
    ['Dimension', String(embedder.dimension)],
    ...modelEntries(embedder, 'Embedding model'),
  ];
}

/** `reranker` is absent on servers older than it, null when none is configured. */
function rerankerEntries(reranker) {
  if (!reranker) return [['Model', 'none (set RAG_STUDIO_RERANK_MODEL to enable rerank: true)']];
  return [['Model', reranker.model], ...modelEntries(reranker, 'Reranking model')];
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
    pairs('Reranker', rerankerEntries(status.reranker)),
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
