// The knowledge-base chooser the per-KB views share; picking one re-opens the view for it.
import { field, h, select } from '../dom.js';

/** Resolves the KB to show (the chosen one, else the first) and a labelled <select> to switch. */
export async function kbPicker(studio, view) {
  if (!studio.kbs) {
    const list = await studio.client.readJson('rag-studio://knowledge-bases');
    studio.kbs = list.knowledge_bases.map((kb) => kb.name);
  }
  const kbs = studio.kbs;
  if (!kbs.includes(studio.kb)) studio.kb = kbs[0] ?? null;
  const control = select(kbs, studio.kb);
  control.id = `${view}-kb`;
  control.addEventListener('change', () => studio.show(view, control.value));
  const picker = kbs.length === 0 ? h('p', {}, 'No knowledge bases yet.') : field('Knowledge base', control);
  return { kb: studio.kb, picker };
}
