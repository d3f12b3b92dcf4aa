// View 2: the search playground — query, mode, fusion, filter; results with highlighted terms and per-side bars.
import { field, h, highlight, select } from '../dom.js';
import { kbPicker } from './kb-picker.js';
import { extraFields } from './schema-fields.js';

/** Arguments the form has its own controls for (and vector/offset, which a playground does not need). */
const KNOWN = ['kb', 'query', 'vector', 'mode', 'limit', 'offset', 'filter', 'generation', 'fusion'];

/**
 * A bar for one side's score with its rank, scaled from min(0, the side's lowest score on the page) to its
 * best: scores from 0 up read as a share of the best; a cross-encoder's negative logits still order visibly.
 */
function sideBar(side, score, rank, { low, high }) {
  if (score === undefined) {
    return h(
      'div',
      { class: 'side missing' },
      h('span', { class: 'side-name' }, side),
      h('span', {}, 'not found by this side'),
    );
  }
  const share = high > low ? Math.max(0.02, Math.min(1, (score - low) / (high - low))) : 0;
  return h(
    'div',
    { class: 'side' },
    h('span', { class: 'side-name' }, side),
    h('meter', {
      min: 0,
      max: 1,
      value: share.toFixed(3),
      'aria-label': `${side} score ${score.toFixed(4)}, rank ${rank}`,
      class: `bar ${side}`,
    }),
    h('span', { class: 'side-score' }, `${score.toFixed(3)} · rank ${rank}`),
  );
}

function citationOf(result) {
  const c = result.citation;
  const where = [
    c.source_path ? `${c.source_path}${c.anchor ?? ''}` : result.document_id,
    c.page_number ? `page ${c.page_number}` : null,
  ];
  return where.filter(Boolean).join(' · ');
}

/** The sides a result can carry; rerank only on `rerank: true` searches (its bar then comes first). */
const SIDES = ['rerank', 'vector', 'lexical'];

function renderResults(output, query, openDocument) {
  const range = Object.fromEntries(SIDES.map((side) => [side, { low: 0, high: 0 }]));
  const reranked = output.results.some((r) => r.scores.rerank !== undefined);
  for (const r of output.results) {
    for (const side of SIDES) {
      const score = r.scores[side];
      if (score === undefined) continue;
      range[side].low = Math.min(range[side].low, score);
      range[side].high = Math.max(range[side].high, score);
    }
  }
  const header = h(
    'p',
    { class: 'muted', id: 'search-summary' },
    `${output.results.length} results · generation ${output.generation} · ${output.mode}${output.fusion ? ` (${output.fusion})` : ''} · ${output.took_ms.toFixed(1)} ms${output.cached ? ' · cached' : ''}`,
  );
  const warnings = output.warnings.length
    ? h(
        'ul',
        { class: 'warnings', 'aria-label': 'Warnings' },
        output.warnings.map((w) => h('li', {}, w)),
      )
    : null;
  const items = output.results.map((r, i) =>
    h(
      'li',
      { class: 'result card' },
      h(
        'div',
        { class: 'result-head' },
        h('strong', {}, `${i + 1}. ${r.citation.title ?? r.document_id}`),
        h('span', { class: 'score' }, `score ${r.score.toFixed(4)}`),
      ),
      h('p', { class: 'citation' }, citationOf(r)),
      h('p', { class: 'snippet' }, highlight(r.snippet, query)),
      h(
        'div',
        { class: 'sides' },
        SIDES.filter((side) => side !== 'rerank' || reranked).map((side) =>
          sideBar(side, r.scores[side], r.ranks[side], range[side]),
        ),
      ),
      openDocument
        ? h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () => openDocument(r.document_id),
              'aria-label': `Read ${r.document_id} in order`,
            },
            'Read the document',
          )
        : null,
    ),
  );
  return [header, warnings, items.length ? h('ol', { class: 'results' }, items) : h('p', {}, 'No results.')];
}

export async function renderSearch(studio) {
  const { kb, picker } = await kbPicker(studio, 'search');
  if (kb === null) return picker;
  const query = h('input', {
    type: 'search',
    name: 'query',
    required: true,
    placeholder: 'What are you looking for?',
  });
  const mode = select(['hybrid', 'lexical', 'vector'], 'hybrid');
  // The fusions the server offers, its default first (from the tool's schema, so a new method needs no change here).
  const fusions = studio.toolSchemas.get('hybrid_search')?.properties?.fusion?.enum ?? ['calibrated', 'rrf'];
  const fusion = select(fusions, fusions[0]);
  const limit = h('input', { type: 'number', min: 1, max: 100, value: 10 });
  const generation = h('input', { type: 'number', min: 1, placeholder: 'active' });
  const filter = h('textarea', { rows: 2, placeholder: '{"document_id": "guide"}', spellcheck: 'false' });
  const out = h('div', { id: 'search-results', 'aria-live': 'polite' });
  // Options added to hybrid_search later (rerank, budgets…) appear here from its schema.
  const extra = extraFields(studio.toolSchemas.get('hybrid_search'), KNOWN);
  mode.addEventListener('change', () => (fusion.disabled = mode.value !== 'hybrid'));

  const run = async (event) => {
    event.preventDefault();
    const args = { kb, query: query.value, mode: mode.value, limit: Number(limit.value) || 10 };
    if (mode.value === 'hybrid') args.fusion = fusion.value;
    if (generation.value) args.generation = Number(generation.value);
    try {
      Object.assign(args, extra.read());
    } catch (error) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
      return;
    }
    if (filter.value.trim()) {
      try {
        args.filter = JSON.parse(filter.value);
      } catch (error) {
        out.replaceChildren(
          h('p', { class: 'error', role: 'alert' }, `The filter is not JSON: ${error.message}`),
        );
        return;
      }
    }
    out.replaceChildren(h('p', { class: 'muted' }, 'Searching…'));
    const result = await studio.client.callTool('hybrid_search', args);
    if (result.isError) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, studio.resultText(result)));
      return;
    }
    const openDocument = studio.tools.has('read_document')
      ? (documentId) => {
          // The generation searched, which need not be the active one the documents list shows.
          studio.openDocument = { documentId, generation: result.structuredContent.generation };
          void studio.show('documents', kb);
        }
      : null;
    out.replaceChildren(
      ...renderResults(result.structuredContent, query.value, openDocument).filter(Boolean).flat(),
    );
  };
  const form = h(
    'form',
    {
      class: 'search-form',
      onsubmit: (e) =>
        run(e).catch((error) =>
          out.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message)),
        ),
    },
    picker,
    field('Query', query),
    h(
      'div',
      { class: 'row' },
      field('Mode', mode),
      field('Fusion', fusion),
      field('Results', limit),
      field('Generation', generation),
    ),
    field(
      'Filter (JSON)',
      filter,
      'e.g. {"document_id": "guide"} or {"metadata.lang": "en"}; see the hybrid_search tool description',
    ),
    extra.element,
    h('button', { type: 'submit' }, 'Search'),
  );
  setTimeout(() => query.focus(), 0);
  return h('div', {}, form, out);
}
