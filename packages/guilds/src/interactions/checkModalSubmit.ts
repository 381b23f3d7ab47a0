import { ComponentType } from 'discord-api-types/v10';
import { checkArray } from '../validation/checkArray.js';
import { checkObject } from '../validation/checkObject.js';
import type { FormErrors } from '../validation/FormErrors.js';
import { textLength } from '../validation/textLength.js';

/** A modal submit's `data` as INTERACTION_CREATE carries it: the answers in the modal's own layout. */
export interface ModalSubmitData {
  custom_id: string;
  components: Record<string, unknown>[];
}

/** A field of the modal: a text input or a select, in an action row or a label (Discord's two layouts). */
interface Field {
  component: Record<string, unknown>;
  /** The top-level component holding it. */
  holder: Record<string, unknown>;
}

const code = 'MODAL_SUBMIT_INVALID';
const MAX_VALUE = 4000;
const MAX_TOP = 10;

/**
 * Checks a modal submit against the modal the application showed: each field (text input, or a select in a label)
 * answered at most once — a text within its `min_length`/`max_length` (4000 at most), a select's values among its
 * options and within `min_values`/`max_values` — and the required ones present; answers to fields the modal does
 * not have are refused. The answer goes to the application in the modal's own layout (rows stay rows, labels stay
 * labels, with the components' ids), which is how libraries read it back.
 */
export function checkModalSubmit(
  modal: { custom_id: string; components: unknown[] },
  data: Record<string, unknown>,
  errors: FormErrors,
): ModalSubmitData | undefined {
  if (data.custom_id !== modal.custom_id) {
    errors.add(['data', 'custom_id'], code, 'Not the custom_id of the modal shown.');
    return undefined;
  }
  const fields = new Map<string, Field>();
  for (const holder of objects(modal.components, MAX_TOP)) {
    for (const component of inner(holder)) {
      if (typeof component.custom_id === 'string') fields.set(component.custom_id, { component, holder });
    }
  }
  const answers = new Map<string, string | string[]>();
  const rows = checkArray(data.components, errors, ['data', 'components'], MAX_TOP) ?? [];
  for (const [i, row] of rows.entries()) {
    const at = ['data', 'components', i];
    const source = checkObject(row, errors, at);
    if (!source) continue;
    for (const [j, item] of inner(source).entries()) {
      const id = typeof item.custom_id === 'string' ? item.custom_id : '';
      const field = fields.get(id);
      if (!field || answers.has(id)) {
        errors.add([...at, 'components', j], code, 'Not a field of the modal.');
        continue;
      }
      const answer = readAnswer(field.component, item);
      if (typeof answer === 'object' && answer !== null && 'error' in answer) {
        errors.add([...at, 'components', j], code, answer.error);
        continue;
      }
      answers.set(id, answer as string | string[]);
    }
  }
  for (const [id, { component }] of fields) {
    const answer = answers.get(id);
    const empty = answer === undefined || answer.length === 0;
    const minimum = typeof component.min_length === 'number' ? component.min_length : 0;
    const required =
      component.type === ComponentType.TextInput
        ? component.required !== false
        : component.required === true || (typeof component.min_values === 'number' && component.min_values > 0);
    if (required && (empty || (typeof answer === 'string' && answer.length < Math.max(1, minimum))))
      errors.add(['data', 'components'], 'BASE_TYPE_REQUIRED', `"${id}" is required.`);
  }
  if (!errors.isEmpty) return undefined;
  return { custom_id: modal.custom_id, components: layout(modal.components, answers) };
}

/** A field's answer, checked against the field; `{ error }` when it does not fit. */
function readAnswer(
  field: Record<string, unknown>,
  item: Record<string, unknown>,
): string | string[] | { error: string } {
  if (field.type === ComponentType.TextInput) {
    const value = item.value;
    if (typeof value !== 'string') return { error: 'A text input answers with a string value.' };
    const length = value.length > MAX_VALUE * 2 ? MAX_VALUE + 1 : textLength(value);
    const min = typeof field.min_length === 'number' ? field.min_length : 0;
    const max = Math.min(typeof field.max_length === 'number' ? field.max_length : MAX_VALUE, MAX_VALUE);
    if (length > max || (length > 0 && length < min)) return { error: `Must be between ${min} and ${max} in length.` };
    return value;
  }
  const values = item.values;
  if (!Array.isArray(values) || values.length > 25 || values.some((v) => typeof v !== 'string'))
    return { error: 'A select answers with a list of values.' };
  const min = typeof field.min_values === 'number' ? field.min_values : 1;
  const max = typeof field.max_values === 'number' ? field.max_values : 1;
  if (values.length > max || (values.length > 0 && values.length < min))
    return { error: `Must be between ${min} and ${max} in length.` };
  const offered = Array.isArray(field.options) ? (field.options as { value?: unknown }[]).map((o) => o.value) : null;
  const fits = (v: string) => (offered ? offered.includes(v) : /^\d{1,20}$/.test(v));
  if (!values.every(fits) || new Set(values).size !== values.length)
    return { error: 'Not a value this select offers.' };
  return values as string[];
}

/** The answers laid out as the modal was: an action row or a label per field, text displays by id. */
function layout(components: readonly unknown[], answers: ReadonlyMap<string, string | string[]>) {
  const out: Record<string, unknown>[] = [];
  for (const holder of objects(components, MAX_TOP)) {
    const withId = (c: Record<string, unknown>) => (typeof c.id === 'number' ? { id: c.id } : {});
    const answered = (c: Record<string, unknown>) => {
      const answer = answers.get(String(c.custom_id)) ?? (c.type === ComponentType.TextInput ? '' : []);
      return {
        type: c.type,
        ...withId(c),
        custom_id: c.custom_id,
        ...(typeof answer === 'string' ? { value: answer } : { values: answer }),
      };
    };
    if (holder.type === ComponentType.ActionRow) {
      out.push({ type: holder.type, ...withId(holder), components: inner(holder).map(answered) });
    } else if (holder.type === ComponentType.Label && holder.component && typeof holder.component === 'object') {
      out.push({
        type: holder.type,
        ...withId(holder),
        component: answered(holder.component as Record<string, unknown>),
      });
    } else if (holder.type === ComponentType.TextDisplay) {
      out.push({ type: holder.type, ...withId(holder) });
    }
  }
  return out;
}

/** The fields one top-level component holds: an action row's components, a label's component. */
function inner(holder: Record<string, unknown>): Record<string, unknown>[] {
  if (Array.isArray(holder.components)) return objects(holder.components, 5);
  return holder.component ? objects([holder.component], 1) : [];
}

function objects(list: readonly unknown[], max: number): Record<string, unknown>[] {
  return list
    .slice(0, max)
    .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && !Array.isArray(c));
}
