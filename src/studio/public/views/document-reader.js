// A document's chunks in order (read_document), a token budget per page, each with its heading path and place.
import { field, formatNumber, h } from '../dom.js';

/** Where a chunk sits in its source: line range, page, anchor (whichever the format gave). */
function placeOf(citation) {
  const lines =
    citation.line_start === undefined
      ? null
      : citation.line_end === undefined || citation.line_end === citation.line_start
        ? `line ${citation.line_start}`
        : `lines ${citation.line_start}–${citation.line_end}`;
  return [
    lines,
    citation.page_number === undefined ? null : `page ${citation.page_number}`,
    citation.anchor ?? null,
  ].filter(Boolean);
}

function chunkItem(chunk) {
  const c = chunk.citation;
  const path = c.heading_path ?? [];
  return h(
    'li',
    { class: 'chunk card', 'data-chunk': chunk.chunk_id },
    h(
      'div',
      { class: 'result-head' },
      path.length > 0
        ? h('strong', { class: 'heading-path' }, path.join(' › '))
        : h('strong', { class: 'muted' }, c.title ?? '(no heading)'),
    ),
    h('p', { class: 'citation' }, [...placeOf(c), chunk.chunk_id].join(' · ')),
    h('pre', { class: 'chunk-text' }, chunk.content),
    chunk.truncated
      ? h('p', { class: 'muted' }, 'Cut to the page budget; raise "Tokens per page" to read it whole.')
      : null,
  );
}

/**
 * The reader for one document of `kb` (in `generation`, the list's); `back` returns to the list. Pages go
 * forward by the tool's next_offset and back by the offsets already seen.
 */
export function documentReader(studio, { kb, documentId, generation, back }) {
  const schema = studio.toolSchemas.get('read_document')?.properties?.max_tokens;
  const budget = h('input', {
    type: 'number',
    min: schema?.minimum ?? 1,
    max: schema?.maximum ?? 1000000,
    value: schema?.default ?? 4000,
  });
  const body = h('div', { id: 'document-chunks', 'aria-live': 'polite' });
  const seen = [];
  const load = async (offset) => {
    const args = { kb, document_id: documentId, offset, max_tokens: Number(budget.value) || 4000 };
    if (generation !== undefined) args.generation = generation;
    const result = await studio.client.callTool('read_document', args);
    if (result.isError) {
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, studio.resultText(result)));
      return;
    }
    const page = result.structuredContent;
    const at = seen.indexOf(offset);
    if (at === -1) seen.push(offset);
    else seen.length = at + 1;
    const last = page.offset + page.chunks.length;
    const previous = seen.length > 1 ? seen[seen.length - 2] : null;
    body.replaceChildren(
      h(
        'p',
        { class: 'muted', id: 'document-summary' },
        `Generation ${page.generation}: chunks ${page.chunks.length === 0 ? 0 : page.offset + 1}–${last} of ${formatNumber(page.document_chunks)}, in document order`,
      ),
      h(
        'ol',
        { class: 'chunks', start: page.offset + 1, 'aria-label': `Chunks of ${documentId}` },
        page.chunks.map(chunkItem),
      ),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          { type: 'button', disabled: previous === null, onclick: () => load(previous) },
          'Previous chunks',
        ),
        h(
          'button',
          { type: 'button', disabled: page.next_offset === null, onclick: () => load(page.next_offset) },
          'Next chunks',
        ),
      ),
    );
  };
  const reload = (event) => {
    event.preventDefault();
    seen.length = 0;
    void load(0);
  };
  void load(0);
  return h(
    'section',
    { class: 'document', 'aria-label': `Document ${documentId}` },
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', onclick: back }, '← All documents'),
      h('h3', {}, documentId),
    ),
    h(
      'form',
      { class: 'row', onsubmit: reload },
      field('Tokens per page', budget),
      h('button', { type: 'submit' }, 'Reload'),
    ),
    body,
  );
}
