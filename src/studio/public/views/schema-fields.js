// Form controls generated from a tool's input JSON Schema: options the studio has no hand-made control for.
import { field, h, select } from '../dom.js';

/** The first sentence of a schema description, as a hint under the control. */
function hintOf(schema) {
  const text = schema.description ?? '';
  const end = text.search(/\.\s/);
  return end > 0 ? text.slice(0, end + 1) : text;
}

function controlFor(schema) {
  const values =
    schema.enum ?? schema.anyOf?.flatMap((s) => s.enum ?? (s.const !== undefined ? [s.const] : []));
  if (values?.length) return { el: select([['', 'default'], ...values.map(String)], ''), kind: 'enum' };
  if (schema.type === 'boolean')
    return {
      el: select(
        [
          ['', 'default'],
          ['true', 'yes'],
          ['false', 'no'],
        ],
        '',
      ),
      kind: 'boolean',
    };
  if (schema.type === 'integer' || schema.type === 'number') {
    return {
      el: h('input', {
        type: 'number',
        min: schema.minimum,
        max: schema.maximum,
        step: schema.type === 'integer' ? 1 : 'any',
      }),
      kind: 'number',
    };
  }
  if (schema.type === 'string') return { el: h('input', { type: 'text' }), kind: 'string' };
  return { el: h('textarea', { rows: 1, spellcheck: 'false', placeholder: 'JSON' }), kind: 'json' };
}

/**
 * Controls for every property of `schema` not in `known`; `read()` returns the values set (empty = not sent),
 * or throws naming the property whose JSON does not parse.
 */
export function extraFields(schema, known) {
  const entries = Object.entries(schema?.properties ?? {}).filter(([name]) => !known.includes(name));
  const controls = entries.map(([name, prop]) => ({ name, ...controlFor(prop), hint: hintOf(prop) }));
  const read = () => {
    const args = {};
    for (const { name, el, kind } of controls) {
      const raw = el.value.trim();
      if (raw === '') continue;
      if (kind === 'number') args[name] = Number(raw);
      else if (kind === 'boolean') args[name] = raw === 'true';
      else if (kind === 'json') {
        try {
          args[name] = JSON.parse(raw);
        } catch (error) {
          throw new Error(`${name} is not JSON: ${error.message}`);
        }
      } else args[name] = raw;
    }
    return args;
  };
  const element = controls.length
    ? h(
        'details',
        { class: 'more-options' },
        h('summary', {}, `More options (${controls.map((c) => c.name).join(', ')})`),
        h(
          'div',
          { class: 'row' },
          controls.map((c) => field(c.name, c.el, c.hint)),
        ),
      )
    : null;
  return { element, read };
}
