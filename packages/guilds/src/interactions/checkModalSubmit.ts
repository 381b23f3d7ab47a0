import { ComponentType } from 'discord-api-types/v10';
import { checkArray } from '../validation/checkArray.js';
import { checkObject } from '../validation/checkObject.js';
import type { FormErrors } from '../validation/FormErrors.js';
import { textLength } from '../validation/textLength.js';

/** A submitted text input. */
interface Submitted {
  type: ComponentType.TextInput;
  custom_id: string;
  value: string;
}

/** A modal submit's `data` as INTERACTION_CREATE carries it. */
export interface ModalSubmitData {
  custom_id: string;
  components: { type: ComponentType.ActionRow; components: Submitted[] }[];
}

const code = 'MODAL_SUBMIT_INVALID';
const MAX_VALUE = 4000;

/**
 * Checks a modal submit against the modal the application showed: every text input answered at most once with a
 * string within its `min_length`/`max_length` (4000 at most), the required ones present; answers to inputs the modal
 * does not have are refused. Text inputs may come in action rows or in labels (Discord's two layouts).
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
  const inputs = new Map<string, Record<string, unknown>>();
  for (const input of textInputs(modal.components)) inputs.set(String(input.custom_id), input);
  const answers = new Map<string, string>();
  const rows = checkArray(data.components, errors, ['data', 'components'], 5) ?? [];
  for (const [i, row] of rows.entries()) {
    const at = ['data', 'components', i];
    const source = checkObject(row, errors, at);
    if (!source) continue;
    for (const [j, item] of textInputs([source]).entries()) {
      const id = typeof item.custom_id === 'string' ? item.custom_id : '';
      const input = inputs.get(id);
      const value = item.value;
      if (!input || answers.has(id) || typeof value !== 'string') {
        errors.add([...at, 'components', j], code, 'Not a text input of the modal.');
        continue;
      }
      const length = value.length > MAX_VALUE * 2 ? MAX_VALUE + 1 : textLength(value);
      const min = typeof input.min_length === 'number' ? input.min_length : 0;
      const max = Math.min(typeof input.max_length === 'number' ? input.max_length : MAX_VALUE, MAX_VALUE);
      if (length > max || (length > 0 && length < min)) {
        errors.add([...at, 'components', j, 'value'], code, `Must be between ${min} and ${max} in length.`);
        continue;
      }
      answers.set(id, value);
    }
  }
  for (const [id, input] of inputs) {
    const required = input.required !== false;
    const minimum = typeof input.min_length === 'number' ? input.min_length : 0;
    if (required && (answers.get(id) ?? '').length < Math.max(1, minimum))
      errors.add(['data', 'components'], 'BASE_TYPE_REQUIRED', `"${id}" is required.`);
  }
  if (!errors.isEmpty) return undefined;
  return {
    custom_id: modal.custom_id,
    components: [...answers].map(([custom_id, value]) => ({
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.TextInput, custom_id, value }],
    })),
  };
}

/** The text inputs of a modal's (or a submit's) top-level components: in action rows or labels, one level down. */
function textInputs(components: readonly unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const item of components.slice(0, 10)) {
    if (typeof item !== 'object' || item === null) continue;
    const c = item as Record<string, unknown>;
    const inner = Array.isArray(c.components) ? c.components.slice(0, 5) : c.component ? [c.component] : [];
    for (const child of inner) {
      if (typeof child === 'object' && child !== null && (child as { type?: unknown }).type === ComponentType.TextInput)
        out.push(child as Record<string, unknown>);
    }
  }
  return out;
}
