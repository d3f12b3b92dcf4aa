// View 4: a KB's generations as a timeline, with create, promote/roll back, GC (dry run shown first) and compare.
import { field, formatBytes, formatNumber, formatTime, h, select } from '../dom.js';
import { compareSection } from './generation-compare.js';
import { kbPicker } from './kb-picker.js';

function entry(gen, actions) {
  const dates = [
    ['created', gen.created_at, null],
    ['promoted', gen.promoted_at, gen.promoted_epoch],
    ['archived', gen.archived_at, gen.archived_epoch],
  ]
    .filter(([, at]) => at)
    .map(
      ([what, at, epoch]) =>
        `${what} ${formatTime(at)}${epoch === null || epoch === undefined ? '' : ` (epoch ${epoch})`}`,
    );
  return h(
    'li',
    { class: `generation card status-${gen.status}`, 'data-generation': gen.generation },
    h(
      'div',
      { class: 'result-head' },
      h('strong', {}, `Generation ${gen.generation}`),
      h('span', { class: `badge ${gen.status}` }, gen.status.replaceAll('_', ' ')),
    ),
    h(
      'p',
      {},
      `${formatNumber(gen.chunk_count)} chunks · ${formatBytes(gen.bytes)} · ${gen.embedding_model} (${gen.dimension}-d, ${gen.metric})`,
    ),
    h('p', { class: 'muted' }, dates.join(' · ')),
    actions,
  );
}

/** A tool's JSON text indented for reading; other text as it is. */
function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function gcPreview(output) {
  const lines = [
    ...output.deleted.map(
      (d) => `delete ${d.kb} generation ${d.generation} (${formatBytes(d.bytes)}): ${d.reason}`,
    ),
    ...output.kept.map((k) => `keep ${k.kb} generation ${k.generation}: ${k.reason}`),
  ];
  return [
    h(
      'p',
      {},
      output.deleted.length === 0
        ? 'Nothing would be deleted.'
        : `${output.deleted.length} generation(s) would be deleted:`,
    ),
    h(
      'ul',
      { class: 'preview' },
      lines.map((line) => h('li', {}, line)),
    ),
  ];
}

export async function renderGenerations(studio) {
  const { kb, picker } = await kbPicker(studio, 'generations');
  if (kb === null) return picker;
  const { client } = studio;
  const uri = `rag-studio://knowledge-bases/${encodeURIComponent(kb)}`;
  // Golden queries gate promotions (the dialog says so) and fill the compare form; older servers have none.
  const [data, golden] = await Promise.all([
    client.readJson(`${uri}/generations`),
    client.readJson(`${uri}/golden-queries`).catch(() => null),
  ]);
  const result = h('div', { id: 'action-result', role: 'status', 'aria-live': 'polite' });
  const refresh = () => studio.show('generations', kb);

  /** Runs a tool, shows its text (result or error) in the view, and redraws the timeline on success. */
  const run = async (tool, args) => {
    const output = await client.callTool(tool, args);
    const text = studio.resultText(output);
    studio.notify(output.isError ? `${tool} failed: ${text}` : `${tool} done`, output.isError);
    if (output.isError) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert' }, `${tool} failed: ${text}`));
      return;
    }
    await refresh();
    document
      .getElementById('action-result')
      ?.replaceChildren(h('p', {}, `${tool}:`), h('pre', {}, pretty(text)));
  };

  const promote = async (gen, rollback) => {
    const verb = rollback ? 'Roll back' : 'Promote';
    const ok = await studio.confirm(
      `${verb} ${kb} to generation ${gen.generation}?`,
      [
        h(
          'p',
          {},
          `Searches switch to generation ${gen.generation} at once; the active generation is archived (and can be promoted back).`,
        ),
        golden?.gated
          ? h(
              'p',
              {},
              `The ${golden.queries.length} golden queries of ${kb} run first; a drop of mean recall@${golden.k} by more than ${golden.tolerance} refuses the promotion.`,
            )
          : null,
      ].filter(Boolean),
      `${verb} to ${gen.generation}`,
    );
    if (ok) await run('promote_generation', { kb, generation: gen.generation });
  };

  const active = data.generations.find((g) => g.status === 'active');
  const actionsFor = (gen) => {
    if (!studio.canWrite) return null;
    if (gen.status === 'building' || gen.status === 'ready')
      return h(
        'button',
        { type: 'button', onclick: () => promote(gen, false) },
        `Promote generation ${gen.generation}`,
      );
    if (gen.status === 'archived') {
      // Going back to an older generation is a rollback; to a newer archived one, a promotion again.
      const older = gen.generation < (active?.generation ?? Infinity);
      const label = older
        ? `Roll back to generation ${gen.generation}`
        : `Promote generation ${gen.generation} again`;
      return h('button', { type: 'button', onclick: () => promote(gen, older) }, label);
    }
    return null;
  };

  const timeline = h(
    'ol',
    { class: 'timeline', 'aria-label': `Generations of ${kb}` },
    [...data.generations]
      .sort((a, b) => b.generation - a.generation)
      .map((gen) => entry(gen, actionsFor(gen))),
  );

  let controls = null;
  if (studio.canWrite) {
    const copy = h('input', { type: 'checkbox', id: 'copy-active' });
    const metric = select([['', 'server default'], 'cosine', 'l2', 'dot'], '');
    const create = async (event) => {
      event.preventDefault();
      const args = { kb, copy_from_active: copy.checked };
      if (metric.value) args.metric = metric.value;
      const ok = await studio.confirm(
        `Create a new generation of ${kb}?`,
        h(
          'p',
          {},
          copy.checked
            ? 'It starts as a copy of the active generation.'
            : 'It starts empty (a full rebuild).',
        ),
        'Create generation',
      );
      if (ok) await run('create_generation', args);
    };
    const gc = async () => {
      const preview = await client.callTool('run_gc', { kb, dry_run: true });
      if (preview.isError) {
        result.replaceChildren(
          h('p', { class: 'error', role: 'alert' }, `run_gc (dry run) failed: ${studio.resultText(preview)}`),
        );
        return;
      }
      const ok = await studio.confirm(
        `Collect garbage in ${kb}?`,
        gcPreview(preview.structuredContent),
        'Run GC',
      );
      if (ok) await run('run_gc', { kb });
    };
    controls = h(
      'div',
      { class: 'actions-bar' },
      h(
        'form',
        { class: 'row', onsubmit: (e) => create(e).catch((error) => studio.notify(error.message, true)) },
        h(
          'div',
          { class: 'field inline' },
          copy,
          h('label', { for: 'copy-active' }, 'Copy the active generation'),
        ),
        field('Metric', metric),
        h('button', { type: 'submit' }, 'New generation…'),
      ),
      h(
        'button',
        { type: 'button', onclick: () => gc().catch((error) => studio.notify(error.message, true)) },
        'Garbage collection…',
      ),
    );
  }
  return h(
    'div',
    {},
    picker,
    controls,
    result,
    timeline,
    compareSection(studio, kb, data.generations, golden),
  );
}
