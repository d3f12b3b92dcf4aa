// View 1: every knowledge base with its size, documents, embedding space, active generation and index health.
import { formatBytes, formatNumber, formatTime, h, table } from '../dom.js';

/** Indexed/unindexed rows summed over a KB's indexes, e.g. "1,200 indexed · 30 unindexed". */
function indexHealth(detail) {
  const indexes = detail.indexes ?? [];
  if (indexes.length === 0) return 'no indexes yet (searched exhaustively)';
  const unindexed = Math.max(...indexes.map((i) => i.unindexed_rows ?? 0));
  const indexed = Math.min(...indexes.map((i) => i.indexed_rows ?? 0));
  return `${indexes.length} indexes · ${formatNumber(indexed)} indexed · ${formatNumber(unindexed)} unindexed`;
}

export async function renderKnowledgeBases(studio) {
  const { client } = studio;
  const [list, status] = await Promise.all([
    client.readJson('rag-studio://knowledge-bases'),
    client.readJson('rag-studio://status'),
  ]);
  const kbs = list.knowledge_bases;
  studio.kbs = kbs.map((kb) => kb.name);
  const gc = status.gc;
  const summary = h(
    'p',
    { class: 'muted' },
    `${kbs.length} knowledge base${kbs.length === 1 ? '' : 's'} · last GC ${formatTime(gc?.last_run_at)}` +
      (gc?.last_reclaimed_bytes ? ` (reclaimed ${formatBytes(gc.last_reclaimed_bytes)})` : ''),
  );
  if (kbs.length === 0) {
    return h(
      'div',
      {},
      summary,
      h(
        'p',
        {},
        'No knowledge bases yet. Fill one with `rag-studio-mcp ingest <folder> --kb <name>` or the upsert_chunks tool.',
      ),
    );
  }
  const rows = kbs.map((kb) => {
    const health = h('td', { 'data-health': kb.name }, '…');
    const documents = h('td', { class: 'num', 'data-documents': kb.name }, '…');
    // Index health and the document count need a read each; the list paints first, these cells fill in
    // after. The count scans the id column, so it waits for the health read rather than compete with it.
    const uri = `rag-studio://knowledge-bases/${encodeURIComponent(kb.name)}`;
    const countDocuments = () =>
      kb.active_generation === null
        ? (documents.textContent = '–')
        : client
            .readJson(`${uri}/documents?offset=0&limit=0`)
            .then((page) => (documents.textContent = formatNumber(page.total)))
            .catch(() => (documents.textContent = '?'));
    client
      .readJson(uri)
      .then((detail) => (health.textContent = indexHealth(detail)))
      .catch((error) => (health.textContent = `unavailable: ${error.message}`))
      .finally(countDocuments);
    const go = (view, label) =>
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => studio.show(view, kb.name),
          'aria-label': `${label} ${kb.name}`,
        },
        label,
      );
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, kb.name),
      h('td', { class: 'num' }, formatNumber(kb.chunk_count)),
      documents,
      h('td', { class: 'num' }, formatBytes(kb.bytes)),
      h('td', {}, `${kb.embedding_model} (${kb.dimension}-d)`),
      h('td', {}, kb.metric),
      h('td', { class: 'num' }, `${kb.active_generation ?? '–'} (epoch ${kb.epoch})`),
      health,
      h(
        'td',
        { class: 'row-actions' },
        go('search', 'Search'),
        go('generations', 'Generations'),
        go('documents', 'Documents'),
      ),
    );
  });
  return h(
    'div',
    {},
    summary,
    table(
      'Knowledge bases',
      [
        'Name',
        'Chunks',
        'Documents',
        'Bytes',
        'Embedding model',
        'Metric',
        'Active generation',
        'Index health',
        '',
      ],
      rows,
    ),
  );
}
