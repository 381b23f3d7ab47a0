import type { FormError } from './FormErrors.js';

/**
 * The `{ code, message }` of the errors particular to message components and modals (docs/protocol.md, "Message
 * components and modals", which marks the codes seen from Discord and ours); the generic ones are in
 * `formErrorMessages`.
 */
export const componentMessages = {
  /** A component whose `type` is not one taken where it stands, reported at the component itself. */
  unionType: (choices: readonly number[]): FormError => ({
    code: 'UNION_TYPE_CHOICES',
    // Discord writes the choices as a Python tuple: a single one keeps its trailing comma, `(1,)`.
    message: `Value of field "type" must be one of (${choices.length === 1 ? `${choices[0]},` : choices.join(', ')}).`,
  }),
  customIdDuplicated: (): FormError => ({
    code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
    message: 'Component custom id was already specified',
  }),
  layoutWidthExceeded: (): FormError => ({
    code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
    message: 'The specified component exceeds the maximum width',
  }),
  customIdRequired: (): FormError => ({
    code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED',
    message: 'A custom id is required',
  }),
  customIdUrlExclusive: (): FormError => ({
    code: 'BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE',
    message: 'A custom id and url cannot both be specified',
  }),
  urlRequired: (): FormError => ({ code: 'BUTTON_COMPONENT_URL_REQUIRED', message: 'A url is required' }),
  skuIdRequired: (): FormError => ({ code: 'BUTTON_COMPONENT_SKU_ID_REQUIRED', message: 'A sku id is required' }),
  notForButtonStyle: (): FormError => ({
    code: 'BUTTON_COMPONENT_FIELD_INVALID',
    message: 'This field is not allowed for this button style',
  }),
  invalidEmoji: (): FormError => ({ code: 'BUTTON_COMPONENT_INVALID_EMOJI', message: 'Invalid emoji' }),
  optionValueDuplicated: (): FormError => ({
    code: 'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED',
    message: 'The specified option value is already used',
  }),
  tooManyDefaultValues: (): FormError => ({
    code: 'SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES',
    message: 'The specified number of default values exceeds the specified maximum values',
  }),
  minLength: (min: number): FormError => ({
    code: 'BASE_TYPE_MIN_LENGTH',
    message: `Must be ${min} or more in length.`,
  }),
  labelInLabel: (): FormError => ({
    code: 'TEXT_INPUT_COMPONENT_LABEL_INVALID',
    message: 'A text input inside a label component cannot have a label',
  }),
  componentsNotAllowed: (): FormError => ({
    code: 'MESSAGE_COMPONENTS_NOT_ALLOWED',
    message: 'Only applications can send message components',
  }),
} as const;
