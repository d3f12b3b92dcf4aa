// View 3: the documents of a KB's active generation, paged, with a filter on the path.
import { field, formatNumber, formatTime, h, table } from '../dom.js';
import { kbPicker } from './kb-picker.js';

const PAGE = 100;

export async function renderDocuments(studio) {
  const { kb, picker } = await kbPicker(studio, 'documents');
  if (kb === null) return picker;
  const search = h('input', { type: 'search', placeholder: 'part of a path or id' });
  const body = h('div', {});
  let offset = 0;
  let page = null;
  const draw = () => {
    const needle = search.value.trim().toLowerCase();
    const docs = page.documents.filter(
      (d) => needle === '' || `${d.document_id} ${d.source_path ?? ''}`.toLowerCase().includes(needle),
    );
    const rows = docs.map((d) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, d.document_id),
        h('td', {}, d.title ?? '–'),
        h('td', {}, d.source_path ?? '–'),
        h('td', { class: 'num' }, formatNumber(d.chunks)),
        h('td', {}, formatTime(d.updated_at)),
      ),
    );
    const last = Math.min(page.offset + page.documents.length, page.total);
    body.replaceChildren(
      h(
        'p',
        { class: 'muted' },
        `Generation ${page.generation}: documents ${page.total === 0 ? 0 : page.offset + 1}–${last} of ${formatNumber(page.total)}${needle ? ` (${docs.length} on this page match)` : ''}`,
      ),
      table(`Documents of ${kb}`, ['Document', 'Title', 'Source path', 'Chunks', 'Updated'], rows),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          {
            type: 'button',
            disabled: page.offset === 0,
            onclick: () => load(Math.max(0, page.offset - PAGE)),
          },
          'Previous page',
        ),
        h(
          'button',
          { type: 'button', disabled: page.next_offset === null, onclick: () => load(page.next_offset) },
          'Next page',
        ),
      ),
    );
  };
  const load = async (at) => {
    offset = at;
    page = await studio.client.readJson(
      `rag-studio://knowledge-bases/${encodeURIComponent(kb)}/documents?offset=${offset}&limit=${PAGE}`,
    );
    draw();
  };
  search.addEventListener('input', () => page && draw());
  await load(0);
  return h('div', {}, picker, field('Filter this page by path', search), body);
}
