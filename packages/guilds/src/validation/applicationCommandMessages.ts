import type { FormError } from './FormErrors.js';

/**
 * The `{ code, message }` of the errors particular to application command bodies (docs/protocol.md, "Form validation",
 * "Application commands", which marks the observed ones and ours); the generic ones are in `formErrorMessages`.
 */
export const applicationCommandMessages = {
  regex: (): FormError => ({ code: 'STRING_TYPE_REGEX', message: 'String value did not match validation regex.' }),
  invalidName: (): FormError => ({ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }),
  requiredOrder: (): FormError => ({
    code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
    message: 'Required options must be placed before non-required options',
  }),
  duplicateOptionName: (): FormError => ({
    code: 'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME',
    message: 'Option names must be unique',
  }),
  mixedOptionTypes: (): FormError => ({
    code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    message: 'Sub-command and sub-command group option types are mutually exclusive to all other types',
  }),
  nestedOptionType: (): FormError => ({
    code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    message: 'Sub-command groups may only contain sub-commands; sub-commands may not contain either',
  }),
  tooLarge: (max: number): FormError => ({
    code: 'APPLICATION_COMMAND_TOO_LARGE',
    message: `Command exceeds maximum size (${max})`,
  }),
  duplicateCommandName: (): FormError => ({
    code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
    message: 'Application command names must be unique',
  }),
  tooManyCommands: (max: number): FormError => ({
    code: 'APPLICATION_COMMANDS_TOO_MANY',
    message: `Maximum number of application commands of this type reached (${max})`,
  }),
  invalidLocale: (): FormError => ({ code: 'APPLICATION_COMMAND_INVALID_LOCALE', message: 'Invalid locale' }),
  contextMenuDescription: (): FormError => ({
    code: 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
    message: 'Context menu commands cannot have a description',
  }),
  contextMenuOptions: (): FormError => ({
    code: 'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS',
    message: 'Context menu commands cannot have options',
  }),
  choicesAutocomplete: (): FormError => ({
    code: 'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE',
    message: 'Autocomplete cannot be enabled on options that have choices',
  }),
  notForOptionType: (): FormError => ({
    code: 'APPLICATION_COMMAND_OPTION_FIELD_INVALID',
    message: 'This field is not allowed for this option type',
  }),
  minAboveMax: (): FormError => ({
    code: 'APPLICATION_COMMAND_OPTION_RANGE_INVALID',
    message: 'Minimum must be less than or equal to maximum',
  }),
  choiceValueType: (type: 'string' | 'int' | 'number'): FormError => ({
    code: 'APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID',
    message: `Choice value must be of the option's type (${type})`,
  }),
  notNumber: (): FormError => ({ code: 'NUMBER_TYPE_COERCE', message: 'Value is not a number.' }),
  notPermissions: (): FormError => ({ code: 'NUMBER_TYPE_COERCE', message: 'Value is not a permission bit-set.' }),
} as const;
