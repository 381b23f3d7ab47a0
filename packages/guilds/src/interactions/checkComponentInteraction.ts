import { ComponentType } from 'discord-api-types/v10';
import { checkArray } from '../validation/checkArray.js';
import { checkString } from '../validation/checkString.js';
import type { FormErrors } from '../validation/FormErrors.js';
import type { ResolvedData } from './ResolvedData.js';

/** A clicked or picked component, as INTERACTION_CREATE's `data` carries it (without `resolved`). */
export interface ComponentData {
  custom_id: string;
  component_type: ComponentType;
  values?: string[];
}

const code = 'COMPONENT_INTERACTION_INVALID';
/** Deepest component nesting walked (containers hold sections and rows: 3 levels in Discord's layouts). */
const MAX_DEPTH = 4;

/**
 * Checks a component interaction against the message it names: the component with `custom_id` exists on it, is of
 * `component_type`, is not disabled, is not a link button; a select's values are among its options (string select)
 * or users/roles/channels that exist here (added to `resolved`), as many as its min/max allow.
 */
export async function checkComponentInteraction(
  components: readonly unknown[],
  data: Record<string, unknown>,
  resolved: ResolvedData,
  errors: FormErrors,
): Promise<ComponentData | undefined> {
  const customId = checkString(data.custom_id, errors, ['data', 'custom_id'], { max: 100, required: true });
  if (customId === undefined) return undefined;
  const component = findComponent(components, customId, 0);
  if (!component) {
    errors.add(['data', 'custom_id'], code, 'No component with this custom_id on the message.');
    return undefined;
  }
  const type = component.type as number;
  if (data.component_type !== type) {
    errors.add(['data', 'component_type'], code, `The component is of type ${type}.`);
    return undefined;
  }
  if (component.disabled === true) {
    errors.add(['data', 'custom_id'], code, 'The component is disabled.');
    return undefined;
  }
  if (type === ComponentType.Button) return { custom_id: customId, component_type: type };
  const raw = checkArray(data.values, errors, ['data', 'values'], 25) ?? [];
  const min = typeof component.min_values === 'number' ? component.min_values : 1;
  const max = typeof component.max_values === 'number' ? component.max_values : 1;
  if (raw.length < min || raw.length > max) {
    errors.add(['data', 'values'], code, `Must be between ${min} and ${max} in length.`);
    return undefined;
  }
  const values: string[] = [];
  for (const [i, value] of raw.entries()) {
    if (typeof value !== 'string' || values.includes(value) || !(await allowed(component, type, value, resolved))) {
      errors.add(['data', 'values', i], code, 'Not a value this select offers.');
      continue;
    }
    values.push(value);
  }
  return { custom_id: customId, component_type: type, values };
}

async function allowed(
  component: Record<string, unknown>,
  type: number,
  value: string,
  resolved: ResolvedData,
): Promise<boolean> {
  if (type === ComponentType.StringSelect) {
    const options = Array.isArray(component.options) ? (component.options as { value?: unknown }[]) : [];
    return options.some((o) => o.value === value);
  }
  if (!/^\d{1,20}$/.test(value)) return false;
  if (type === ComponentType.UserSelect) return resolved.user(value);
  if (type === ComponentType.RoleSelect) return resolved.role(value);
  if (type === ComponentType.MentionableSelect) return resolved.role(value) || resolved.user(value);
  if (type === ComponentType.ChannelSelect) {
    const types = Array.isArray(component.channel_types) ? (component.channel_types as number[]) : undefined;
    return resolved.channel(value, types);
  }
  return false;
}

/** The interactive component with `customId` among `components` (rows, containers and sections walked). */
export function findComponent(
  components: readonly unknown[],
  customId: string,
  depth: number,
): Record<string, unknown> | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (const item of components) {
    if (typeof item !== 'object' || item === null) continue;
    const component = item as Record<string, unknown>;
    if (component.custom_id === customId && component.type !== ComponentType.TextInput) return component;
    const children = [component.components, component.accessory ? [component.accessory] : undefined];
    for (const list of children) {
      if (!Array.isArray(list)) continue;
      const found = findComponent(list, customId, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
