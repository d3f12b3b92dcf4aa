// View 3: the documents of a KB's active generation, paged and found by path; one opens to its chunks in order.
import { field, formatNumber, formatTime, h, table } from '../dom.js';
import { documentReader } from './document-reader.js';
import { kbPicker } from './kb-picker.js';

const PAGE = 100;

function documentsUri(kb, offset, path) {
  const base = `rag-studio://knowledge-bases/${encodeURIComponent(kb)}/documents?offset=${offset}&limit=${PAGE}`;
  return path ? `${base}&path=${encodeURIComponent(path)}` : base;
}

export async function renderDocuments(studio) {
  const { kb, picker } = await kbPicker(studio, 'documents');
  if (kb === null) return picker;
  const search = h('input', { type: 'search', placeholder: 'part of a path or id, e.g. guides/' });
  const list = h('div', {});
  const view = h('div', {});
  let page = null;

  const finder = h(
    'form',
    { role: 'search', onsubmit: (e) => find(e) },
    field('Find documents by path', search),
  );
  const open = (documentId, generation = page?.generation) => {
    const reader = documentReader(studio, {
      kb,
      documentId,
      generation,
      back: () => {
        view.replaceChildren(finder, list);
        search.focus();
      },
    });
    view.replaceChildren(reader);
    reader.querySelector('button')?.focus();
  };

  const draw = () => {
    const rows = page.documents.map((d) =>
      h(
        'tr',
        {},
        h(
          'th',
          { scope: 'row' },
          h('button', { type: 'button', class: 'link', onclick: () => open(d.document_id) }, d.document_id),
        ),
        h('td', {}, d.title ?? '–'),
        h('td', {}, d.source_path ?? '–'),
        h('td', { class: 'num' }, formatNumber(d.chunks)),
        h('td', {}, formatTime(d.updated_at)),
      ),
    );
    const last = Math.min(page.offset + page.documents.length, page.total);
    const what = page.path ? ` matching "${page.path}"` : '';
    list.replaceChildren(
      h(
        'p',
        { class: 'muted', id: 'documents-summary' },
        `Generation ${page.generation}: documents${what} ${page.total === 0 ? 0 : page.offset + 1}–${last} of ${formatNumber(page.total)}`,
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
    page = await studio.client.readJson(documentsUri(kb, at, search.value.trim()));
    draw();
  };

  // The server filters (every page, not just the one shown); typing waits for a pause before asking.
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(0), 300);
  });
  const find = (event) => {
    event.preventDefault();
    clearTimeout(timer);
    void load(0);
  };
  studio.stop = () => clearTimeout(timer);
  view.replaceChildren(finder, list);
  await load(0);
  const wanted = studio.openDocument;
  studio.openDocument = null;
  if (wanted) open(wanted.documentId, wanted.generation);
  return h('div', {}, picker, view);
}
