// View 5: ingestion jobs (rag-studio://jobs/{id}) with live progress and their skipped/failed files.
import { formatTime, h } from '../dom.js';

function reportList(title, items) {
  if (!items || items.length === 0) return null;
  return h(
    'details',
    {},
    h('summary', {}, `${title} (${items.length})`),
    h(
      'ul',
      {},
      items.map((i) => h('li', {}, `${i.path}: ${i.reason}`)),
    ),
  );
}

function jobCard(job) {
  const p = job.progress;
  const r = job.report;
  return h(
    'li',
    { class: 'card' },
    h(
      'div',
      { class: 'result-head' },
      h('strong', {}, `${job.kb} · ${job.job_id}`),
      h('span', { class: `badge ${job.status}` }, job.status),
    ),
    p && job.status === 'running'
      ? h(
          'div',
          {},
          h('progress', {
            max: p.files_total || 1,
            value: p.files_done,
            'aria-label': `Progress of ${job.job_id}`,
          }),
          h(
            'span',
            { class: 'muted' },
            ` ${p.phase}: ${p.files_done}/${p.files_total} files, ${p.chunks} chunks`,
          ),
        )
      : null,
    r
      ? h(
          'p',
          {},
          `generation ${r.generation ?? '–'}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.deleted} deleted, ${r.chunks} chunks in ${(r.took_ms / 1000).toFixed(1)} s`,
        )
      : null,
    job.error ? h('p', { class: 'error' }, job.error) : null,
    h(
      'p',
      { class: 'muted' },
      `started ${formatTime(job.started_at)}${job.finished_at ? ` · finished ${formatTime(job.finished_at)}` : ''}`,
    ),
    reportList('Skipped', r?.skipped),
    reportList('Failed', r?.failed),
  );
}

export async function renderJobs(studio) {
  const { client } = studio;
  const load = async () => {
    const resources = await client.listResources();
    const uris = resources.map((r) => r.uri).filter((uri) => uri.startsWith('rag-studio://jobs/'));
    return Promise.all(uris.map((uri) => client.readJson(uri)));
  };
  const list = h('ol', { class: 'jobs', 'aria-live': 'polite' });
  const draw = (jobs) => {
    jobs.sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
    list.replaceChildren(
      ...(jobs.length
        ? jobs.map(jobCard)
        : [
            h(
              'li',
              {},
              'No ingestion jobs since the server started (the ingest_documents tool starts them).',
            ),
          ]),
    );
    return jobs.some((j) => j.status === 'running');
  };
  let running = draw(await load());
  // Live progress: poll while a job runs and this view is open.
  const timer = setInterval(async () => {
    if (!running) return;
    try {
      running = draw(await load());
    } catch {
      // the next tick retries
    }
  }, 1500);
  studio.stop = () => clearInterval(timer);
  return h('div', {}, list);
}
