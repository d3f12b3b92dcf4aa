// Compare two generations (compare_generations): documents added/removed/changed, and per query the top-k overlap and rank moves.
import { field, formatNumber, h, select, table } from '../dom.js';

/** "query" or "query | doc-a, doc-b" (the documents a good answer comes from) per line. */
export function parseQueries(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const bar = line.lastIndexOf(' | ');
      if (bar === -1) return { query: line };
      const expected = line
        .slice(bar + 3)
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
      const query = line.slice(0, bar).trim();
      return expected.length > 0 ? { query, expected_document_ids: expected } : { query };
    });
}

function formatQueries(queries) {
  return queries
    .map((q) =>
      q.expected_document_ids?.length ? `${q.query} | ${q.expected_document_ids.join(', ')}` : q.query,
    )
    .join('\n');
}

const percent = (share) => `${Math.round(share * 100)}%`;
const metric = (value) => (value === null || value === undefined ? '–' : value.toFixed(3));

function move(change) {
  if (change.base_rank === null) return 'new in the top k';
  if (change.candidate_rank === null) return 'left the top k';
  const by = change.base_rank - change.candidate_rank;
  return by > 0 ? `up ${by}` : `down ${-by}`;
}

function documentList(label, ids) {
  return h(
    'details',
    { class: 'diff-list', open: ids.length > 0 && ids.length <= 20 },
    h('summary', {}, `${label} (${formatNumber(ids.length)})`),
    ids.length
      ? h(
          'ul',
          {},
          ids.map((id) => h('li', {}, id)),
        )
      : h('p', { class: 'muted' }, 'none'),
  );
}

function queryCard(q, k) {
  const judged = q.base.recall !== null;
  const rows = q.rank_changes.map((c) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, c.chunk_id),
      h('td', {}, c.document_id),
      h('td', { class: 'num' }, c.base_rank ?? '–'),
      h('td', { class: 'num' }, c.candidate_rank ?? '–'),
      h('td', {}, move(c)),
    ),
  );
  return h(
    'li',
    { class: 'card compare-query' },
    h('strong', {}, q.query),
    h(
      'div',
      { class: 'side' },
      h('span', { class: 'side-name' }, 'overlap'),
      h('meter', {
        min: 0,
        max: 1,
        value: q.overlap.toFixed(3),
        class: 'bar overlap',
        'aria-label': `top-${k} overlap ${percent(q.overlap)}`,
      }),
      h('span', { class: 'side-score' }, percent(q.overlap)),
    ),
    judged
      ? h(
          'p',
          { class: 'muted' },
          `recall@${k} ${metric(q.base.recall)} → ${metric(q.candidate.recall)} · nDCG ${metric(q.base.ndcg)} → ${metric(q.candidate.ndcg)}`,
        )
      : null,
    rows.length
      ? table(
          `Rank changes for "${q.query}"`,
          ['Chunk', 'Document', 'Base rank', 'Candidate rank', 'Move'],
          rows,
        )
      : h('p', { class: 'muted' }, 'Same top results in the same order.'),
  );
}

function renderComparison(out) {
  const s = out.summary;
  const judged =
    s.judged_queries > 0
      ? ` · over ${s.judged_queries} judged: recall@${out.k} ${metric(s.base.recall)} → ${metric(s.candidate.recall)}, nDCG ${metric(s.base.ndcg)} → ${metric(s.candidate.ndcg)}`
      : '';
  const c = out.content;
  return [
    h(
      'p',
      { id: 'compare-summary' },
      `Generation ${out.base} → ${out.candidate} · ${out.mode}, top ${out.k} · mean overlap ${percent(s.mean_overlap)} over ${out.queries.length} quer${out.queries.length === 1 ? 'y' : 'ies'}${judged} · ${out.took_ms.toFixed(1)} ms`,
    ),
    out.warnings.length
      ? h(
          'ul',
          { class: 'warnings', 'aria-label': 'Warnings' },
          out.warnings.map((w) => h('li', {}, w)),
        )
      : null,
    h(
      'section',
      { class: 'card', 'aria-label': 'Content diff' },
      h('h4', {}, `Documents: ${formatNumber(c.unchanged)} unchanged`),
      documentList('Added', c.added),
      documentList('Removed', c.removed),
      documentList('Changed', c.changed),
    ),
    h(
      'ol',
      { class: 'compare-queries', 'aria-label': 'Queries' },
      out.queries.map((q) => queryCard(q, out.k)),
    ),
  ];
}

/** The compare form for `kb` (read-only: also on read-only servers); its golden queries, when stored, fill it. */
export function compareSection(studio, kb, generations, golden) {
  const usable = generations
    .filter((g) => g.status !== 'marked_for_deletion')
    .sort((a, b) => b.generation - a.generation);
  if (usable.length < 2 || !studio.tools.has('compare_generations')) return null;
  const active = usable.find((g) => g.status === 'active') ?? usable[usable.length - 1];
  const candidateDefault = usable.find((g) => g.generation !== active.generation);
  const options = usable.map((g) => [
    String(g.generation),
    `${g.generation} (${g.status.replaceAll('_', ' ')})`,
  ]);
  const base = select(options, String(active.generation));
  const candidate = select(options, String(candidateDefault.generation));
  const queries = h('textarea', {
    rows: 4,
    required: true,
    spellcheck: 'false',
    placeholder: 'one query per line; add " | doc-a, doc-b" for the documents that answer it',
  });
  const k = h('input', { type: 'number', min: 1, max: 100, value: 10 });
  const mode = select(['hybrid', 'lexical', 'vector'], 'hybrid');
  const out = h('div', { id: 'compare-result', 'aria-live': 'polite' });

  if (golden?.queries.length) queries.value = formatQueries(golden.queries);

  const run = async (event) => {
    event.preventDefault();
    const list = parseQueries(queries.value);
    if (list.length === 0) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'Enter at least one query.'));
      return;
    }
    out.replaceChildren(h('p', { class: 'muted' }, 'Comparing…'));
    const result = await studio.client.callTool('compare_generations', {
      kb,
      base: Number(base.value),
      candidate: Number(candidate.value),
      queries: list,
      k: Number(k.value) || 10,
      mode: mode.value,
    });
    if (result.isError) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, studio.resultText(result)));
      return;
    }
    out.replaceChildren(...renderComparison(result.structuredContent).filter(Boolean));
  };
  return h(
    'section',
    { class: 'compare card', 'aria-labelledby': 'compare-title' },
    h('h3', { id: 'compare-title' }, 'Compare two generations'),
    h(
      'form',
      {
        onsubmit: (e) =>
          run(e).catch((error) =>
            out.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message)),
          ),
      },
      h(
        'div',
        { class: 'row' },
        field('Base generation', base),
        field('Candidate generation', candidate),
        field('Top k', k),
        field('Mode', mode),
      ),
      field('Queries', queries, 'One per line; "query | doc-a, doc-b" also measures recall and nDCG.'),
      h('button', { type: 'submit' }, 'Compare'),
    ),
    out,
  );
}
