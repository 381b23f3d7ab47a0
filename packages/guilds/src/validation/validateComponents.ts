import {
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIMessageTopLevelComponent,
  type APIModalInteractionResponseCallbackData,
  type APITextInputComponent,
  ButtonStyle,
  ComponentType,
  TextInputStyle,
} from 'discord-api-types/v10';
import { checkArray } from './checkArray.js';
import { checkBoolean } from './checkBoolean.js';
import {
  addError,
  checkComponentId,
  checkComponentType,
  checkCustomId,
  checkEmoji,
  checkList,
  setDefined,
} from './checkComponentParts.js';
import { checkInteger } from './checkInteger.js';
import { checkObject } from './checkObject.js';
import { checkSelectMenu, selectTypes } from './checkSelectMenu.js';
import { checkSnowflake } from './checkSnowflake.js';
import { checkString } from './checkString.js';
import { checkUrl } from './checkUrl.js';
import { componentLimits as limits } from './componentLimits.js';
import { componentMessages as messages } from './componentMessages.js';
import type { FormErrorPath, FormErrors } from './FormErrors.js';
import { formErrorMessages } from './formErrorMessages.js';
import { textLength } from './textLength.js';

/** What an action row of a message holds: buttons and selects. */
const messageRowTypes = [ComponentType.Button, ...selectTypes] as const;
const buttonStyles = [
  ButtonStyle.Primary,
  ButtonStyle.Secondary,
  ButtonStyle.Success,
  ButtonStyle.Danger,
  ButtonStyle.Link,
  ButtonStyle.Premium,
] as const;
const textInputStyles = [TextInputStyle.Short, TextInputStyle.Paragraph] as const;
/** What a modal holds at its top level: action rows (of one text input), text displays and labels. */
const modalTypes = [ComponentType.ActionRow, ComponentType.TextDisplay, ComponentType.Label] as const;
/** What a Label wraps: a text input or a select. */
const labelledTypes = [ComponentType.TextInput, ...selectTypes].sort((a, b) => a - b);
/** A link button may also open Discord's own `discord://` links. */
const discordLink = /^discord:\/\/[!-~]+$/i;

/**
 * Checks a message's `components` (a value from a JSON body) as Discord does for a message without IS_COMPONENTS_V2
 * (docs/protocol.md, "Message components and modals"), adding every error found to `errors` under `path`: at most 5
 * action rows (type 1), each of 1..5 items no wider than the row (a button is 1 wide, a select 5: one select alone,
 * or up to 5 buttons); buttons by style (custom_id for styles 1–4, url for link, sku_id for premium), selects
 * (`checkSelectMenu`), every custom_id unique in the message.
 *
 * Returns the components as sent (fields Discord keeps, absent ones left absent) when this call found no error;
 * undefined when `components` is absent (undefined or null) or refused. Every list is measured before it is walked
 * and the nesting is fixed (rows of items of options), so the work is bounded by the limits, not the input's size.
 */
export function validateMessageComponents(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath = ['components'],
): APIMessageTopLevelComponent[] | undefined {
  const before = errors.count;
  const rows = checkArray(value, errors, path, limits.actionRows);
  if (rows === undefined) return undefined;
  const seen = new Set<string>();
  const result: APIMessageTopLevelComponent[] = [];
  rows.forEach((item, index) => {
    const row = checkMessageRow(item, errors, [...path, index], seen);
    if (row !== undefined) result.push(row);
  });
  return errors.count === before ? result : undefined;
}

/**
 * Checks the `data` of a MODAL interaction response (type 9; a value from a JSON body) as Discord does
 * (docs/protocol.md, "Message components and modals"), adding every error found to `errors` under `path`: `title`
 * 1..45, `custom_id` 1..100, 1..5 `components`: action rows holding one text input, Labels (type 18) wrapping a text
 * input or a select, text displays (type 10); custom_ids unique in the modal. Returns the modal as sent when this
 * call found no error, undefined otherwise (absent is BASE_TYPE_REQUIRED at `path`).
 */
export function validateModal(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath = ['data'],
): APIModalInteractionResponseCallbackData | undefined {
  if (value === undefined || value === null) return addError(errors, path, formErrorMessages.required());
  const source = checkObject(value, errors, path);
  if (source === undefined) return undefined;
  const before = errors.count;
  const title = checkString(source.title, errors, [...path, 'title'], { max: limits.modalTitle, required: true });
  const customId = checkCustomId(source.custom_id, errors, [...path, 'custom_id'], new Set());
  const list = checkList(source.components, errors, [...path, 'components'], {
    min: 1,
    max: limits.modalComponents,
    required: true,
  });
  const seen = new Set<string>();
  const components: unknown[] = [];
  list?.forEach((item, index) => {
    const component = checkModalComponent(item, errors, [...path, 'components', index], seen);
    if (component !== undefined) components.push(component);
  });
  if (errors.count !== before || title === undefined || customId === undefined) return undefined;
  return { title, custom_id: customId, components } as APIModalInteractionResponseCallbackData;
}

/** Present, and an object: absent is BASE_TYPE_REQUIRED, as for any list item. */
function checkItem(value: unknown, errors: FormErrors, path: FormErrorPath): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return addError(errors, path, formErrorMessages.required());
  return checkObject(value, errors, path);
}

function checkMessageRow(
  value: unknown,
  errors: FormErrors,
  path: FormErrorPath,
  seen: Set<string>,
): APIMessageTopLevelComponent | undefined {
  const source = checkItem(value, errors, path);
  if (source === undefined) return undefined;
  if (checkComponentType(source, errors, path, [ComponentType.ActionRow]) === undefined) return undefined;
  const before = errors.count;
  const row: Record<string, unknown> = { type: ComponentType.ActionRow };
  setDefined(row, 'id', checkComponentId(source.id, errors, [...path, 'id']));
  const at = [...path, 'components'];
  const list = checkList(source.components, errors, at, { min: 1, max: limits.rowWidth, required: true });
  const items: APIComponentInMessageActionRow[] = [];
  let width = 0;
  list?.forEach((value, index) => {
    const itemPath = [...at, index];
    const item = checkItem(value, errors, itemPath);
    if (item === undefined) return;
    const type = checkComponentType(item, errors, itemPath, messageRowTypes);
    if (type === undefined) return;
    // A select fills the row: it stands alone, and buttons do not share its row.
    width += type === ComponentType.Button ? 1 : limits.rowWidth;
    if (width > limits.rowWidth) addError(errors, itemPath, messages.layoutWidthExceeded());
    const checked =
      type === ComponentType.Button
        ? checkButton(item, errors, itemPath, seen)
        : checkSelectMenu(item, type, errors, itemPath, seen);
    if (checked !== undefined) items.push(checked);
  });
  row.components = items;
  return errors.count === before ? (row as unknown as APIMessageTopLevelComponent) : undefined;
}

/**
 * A button by its style: PRIMARY..DANGER need a `custom_id` and take no `url`; LINK needs a `url` (http(s) or
 * discord://, at most 512 characters) and takes no `custom_id`; PREMIUM needs a `sku_id` and takes nothing else
 * (no custom_id, url, label or emoji). Any style but PREMIUM has an optional `label` (≤ 80) and `emoji`.
 */
function checkButton(
  source: Record<string, unknown>,
  errors: FormErrors,
  path: FormErrorPath,
  seen: Set<string>,
): APIButtonComponent | undefined {
  const before = errors.count;
  const at = (key: string): FormErrorPath => [...path, key];
  const button: Record<string, unknown> = { type: ComponentType.Button };
  setDefined(button, 'id', checkComponentId(source.id, errors, at('id')));
  const style =
    source.style === undefined || source.style === null
      ? addError(errors, at('style'), formErrorMessages.required())
      : typeof source.style === 'number' && (buttonStyles as readonly number[]).includes(source.style)
        ? source.style
        : addError(errors, at('style'), formErrorMessages.choices(buttonStyles));
  setDefined(button, 'style', style);
  setDefined(button, 'disabled', checkBoolean(source.disabled, errors, at('disabled')));
  const given = (key: string) => source[key] !== undefined && source[key] !== null;
  if (style === undefined) return undefined;

  if (style === ButtonStyle.Premium) {
    for (const key of ['custom_id', 'url', 'label', 'emoji'])
      if (given(key)) addError(errors, at(key), messages.notForButtonStyle());
    if (!given('sku_id')) addError(errors, at('sku_id'), messages.skuIdRequired());
    else setDefined(button, 'sku_id', checkSnowflake(source.sku_id, errors, at('sku_id')));
    return errors.count === before ? (button as unknown as APIButtonComponent) : undefined;
  }
  setDefined(button, 'label', checkString(source.label, errors, at('label'), { max: limits.buttonLabel }));
  setDefined(button, 'emoji', checkEmoji(source.emoji, errors, at('emoji')));
  if (given('sku_id')) addError(errors, at('sku_id'), messages.notForButtonStyle());
  if (style === ButtonStyle.Link) {
    if (given('custom_id')) addError(errors, at('custom_id'), messages.customIdUrlExclusive());
    if (!given('url')) addError(errors, at('url'), messages.urlRequired());
    else setDefined(button, 'url', checkButtonUrl(source.url, errors, at('url')));
  } else {
    if (given('url')) addError(errors, at('url'), messages.customIdUrlExclusive());
    setDefined(
      button,
      'custom_id',
      checkCustomId(source.custom_id, errors, at('custom_id'), seen, messages.customIdRequired()),
    );
  }
  return errors.count === before ? (button as unknown as APIButtonComponent) : undefined;
}

function checkButtonUrl(value: unknown, errors: FormErrors, path: FormErrorPath): string | undefined {
  const url = checkString(value, errors, path, { max: limits.buttonUrl });
  if (url === undefined) return undefined;
  if (discordLink.test(url)) return url;
  return checkUrl(url, errors, path);
}

function checkModalComponent(value: unknown, errors: FormErrors, path: FormErrorPath, seen: Set<string>): unknown {
  const source = checkItem(value, errors, path);
  if (source === undefined) return undefined;
  const type = checkComponentType(source, errors, path, modalTypes);
  if (type === undefined) return undefined;
  const before = errors.count;
  const component: Record<string, unknown> = { type };
  setDefined(component, 'id', checkComponentId(source.id, errors, [...path, 'id']));
  if (type === ComponentType.TextDisplay) {
    setDefined(
      component,
      'content',
      checkString(source.content, errors, [...path, 'content'], { max: limits.textDisplay, required: true }),
    );
  } else if (type === ComponentType.Label) {
    const text = { max: limits.inputLabel, required: true };
    setDefined(component, 'label', checkString(source.label, errors, [...path, 'label'], text));
    const description = checkString(source.description, errors, [...path, 'description'], {
      max: limits.labelDescription,
    });
    setDefined(component, 'description', description);
    const at = [...path, 'component'];
    const inner = checkItem(source.component, errors, at);
    const innerType = inner && checkComponentType(inner, errors, at, labelledTypes);
    if (inner !== undefined && innerType !== undefined)
      setDefined(
        component,
        'component',
        innerType === ComponentType.TextInput
          ? checkTextInput(inner, errors, at, seen, 'label')
          : checkSelectMenu(inner, innerType, errors, at, seen),
      );
  } else {
    const at = [...path, 'components'];
    const list = checkList(source.components, errors, at, { min: 1, max: limits.rowWidth, required: true });
    const inputs: APITextInputComponent[] = [];
    list?.forEach((value, index) => {
      const itemPath = [...at, index];
      const item = checkItem(value, errors, itemPath);
      if (item === undefined || checkComponentType(item, errors, itemPath, [ComponentType.TextInput]) === undefined)
        return;
      // A text input is as wide as the row: one per row.
      if (index > 0) addError(errors, itemPath, messages.layoutWidthExceeded());
      const input = checkTextInput(item, errors, itemPath, seen, 'row');
      if (input !== undefined) inputs.push(input);
    });
    component.components = inputs;
  }
  return errors.count === before ? component : undefined;
}

/**
 * A text input: `custom_id`, `style` SHORT or PARAGRAPH, `label` ≤ 45 (required in an action row, refused inside a
 * Label, which carries it), `placeholder` ≤ 100, `value` ≤ 4000 (and ≤ `max_length`), `min_length` 0..4000,
 * `max_length` 1..4000 (min not above max), `required`.
 */
function checkTextInput(
  source: Record<string, unknown>,
  errors: FormErrors,
  path: FormErrorPath,
  seen: Set<string>,
  within: 'row' | 'label',
): APITextInputComponent | undefined {
  const before = errors.count;
  const at = (key: string): FormErrorPath => [...path, key];
  const input: Record<string, unknown> = { type: ComponentType.TextInput };
  setDefined(input, 'id', checkComponentId(source.id, errors, at('id')));
  setDefined(input, 'custom_id', checkCustomId(source.custom_id, errors, at('custom_id'), seen));
  const style =
    source.style === undefined || source.style === null
      ? addError(errors, at('style'), formErrorMessages.required())
      : typeof source.style === 'number' && (textInputStyles as readonly number[]).includes(source.style)
        ? source.style
        : addError(errors, at('style'), formErrorMessages.choices(textInputStyles));
  setDefined(input, 'style', style);
  if (within === 'label') {
    if (source.label !== undefined && source.label !== null) addError(errors, at('label'), messages.labelInLabel());
  } else {
    const label = checkString(source.label, errors, at('label'), { max: limits.inputLabel, required: true });
    setDefined(input, 'label', label);
  }
  const placeholder = checkString(source.placeholder, errors, at('placeholder'), { max: limits.inputPlaceholder });
  setDefined(input, 'placeholder', placeholder);
  const text = checkString(source.value, errors, at('value'), { max: limits.inputLength });
  setDefined(input, 'value', text);
  const beforeRange = errors.count;
  const minLength = checkInteger(source.min_length, errors, at('min_length'), 0, limits.inputLength);
  const maxLength = checkInteger(source.max_length, errors, at('max_length'), 1, limits.inputLength);
  setDefined(input, 'min_length', minLength);
  setDefined(input, 'max_length', maxLength);
  if (errors.count === beforeRange && maxLength !== undefined) {
    if (minLength !== undefined && minLength > maxLength)
      addError(errors, at('min_length'), formErrorMessages.numberMax(maxLength));
    if (text !== undefined && text.length > maxLength && textLength(text) > maxLength)
      addError(errors, at('value'), formErrorMessages.maxLength(maxLength));
  }
  setDefined(input, 'required', checkBoolean(source.required, errors, at('required')));
  return errors.count === before ? (input as unknown as APITextInputComponent) : undefined;
}
