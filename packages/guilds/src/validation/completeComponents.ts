import { ComponentType } from 'discord-api-types/v10';

/** A component as far as completing sees it: an optional `id`, its type and the places children sit. */
interface Numbered {
  id?: number;
  type?: unknown;
  min_values?: number;
  max_values?: number;
  components?: unknown[];
  component?: unknown;
  accessory?: unknown;
}

/** The children of a component, in the order Discord numbers them. */
function children(node: Numbered): unknown[] {
  const list = Array.isArray(node.components) ? [...node.components] : [];
  if (node.component !== undefined) list.push(node.component);
  if (node.accessory !== undefined) list.push(node.accessory);
  return list;
}

function isComponent(value: unknown): value is Numbered {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SELECTS: ReadonlySet<unknown> = new Set([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);

/**
 * A copy of `components` (checked ones: a message's, or a modal's) as Discord stores and sends them: every component
 * has its `id` (one left out gets the next number from 1 up, parents before their children, in order, skipping the
 * ids the sender chose) and every select its `min_values`/`max_values` (1 and 1 when left out), fields Discord's
 * message object always carries. The input is left as it is.
 */
export function completeComponents<T>(components: readonly T[]): T[] {
  const used = new Set<number>();
  const collect = (value: unknown): void => {
    if (!isComponent(value)) return;
    if (typeof value.id === 'number') used.add(value.id);
    for (const child of children(value)) collect(child);
  };
  for (const component of components) collect(component);
  let next = 1;
  const number = (value: unknown): unknown => {
    if (!isComponent(value)) return value;
    const copy: Numbered = { ...value };
    if (typeof copy.id !== 'number') {
      while (used.has(next)) next++;
      copy.id = next++;
    }
    if (SELECTS.has(copy.type)) {
      copy.min_values ??= 1;
      copy.max_values ??= 1;
    }
    if (Array.isArray(value.components)) copy.components = value.components.map(number);
    if (value.component !== undefined) copy.component = number(value.component);
    if (value.accessory !== undefined) copy.accessory = number(value.accessory);
    return copy;
  };
  return components.map((component) => number(component) as T);
}
