// The text block of a hybrid_search result: a compact rendering for clients that show only text, instead of a
// second full JSON copy of structuredContent.
import type { SearchOutput } from './hybrid-search.js';

/**
 * One block per result: `[rank] title — source_path#anchor (p. N) · score`, then the snippet (or the content
 * when no snippet was asked for), then where its duplicates live. The full content stays in structuredContent.
 */
export function renderSearchText(output: SearchOutput): string {
  const lines: string[] = [
    `${output.results.length} result${output.results.length === 1 ? '' : 's'} from "${output.kb}" ` +
      `(generation ${output.generation}, ${output.mode}${output.fusion ? `/${output.fusion}` : ''})`,
  ];
  output.results.forEach((r, i) => {
    const c = r.citation;
    const where = `${c.source_path ?? r.document_id}${c.anchor ? (c.anchor.startsWith('#') ? c.anchor : `#${c.anchor}`) : ''}`;
    const page = c.page_number !== undefined ? ` (p. ${c.page_number})` : '';
    lines.push(
      '',
      `[${i + 1}] ${c.title ? `${c.title} — ` : ''}${where}${page} · score ${r.score.toPrecision(3)} · chunk_id ${r.chunk_id}`,
    );
    const text = r.snippet ?? r.content;
    if (text) lines.push(text);
    if (r.duplicates?.length) {
      lines.push(
        `also at: ${r.duplicates.map((d) => `${d.source_path ?? d.document_id}${d.anchor ?? ''}`).join(', ')}`,
      );
    }
  });
  if (output.budget) {
    const b = output.budget;
    lines.push(
      '',
      `budget: ${b.used_tokens}/${b.max_tokens} tokens (${b.counted_with}); ${b.trimmed} trimmed, ${b.dropped} dropped`,
    );
  }
  for (const warning of output.warnings) lines.push(`warning: ${warning}`);
  lines.push('', 'Full content, scores and metadata are in structuredContent.');
  return lines.join('\n');
}
