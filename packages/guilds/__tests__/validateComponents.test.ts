import { describe, expect, it } from 'vitest';
import { completeComponents } from '../src/validation/completeComponents.js';
import { FormErrors } from '../src/validation/FormErrors.js';
import { validateMessageComponents, validateModal } from '../src/validation/validateComponents.js';

/** The components returned, or the `errors` tree a 50035 would carry. */
function components(value: unknown) {
  const errors = new FormErrors();
  const ok = validateMessageComponents(value, errors, ['components']);
  return errors.isEmpty ? { ok } : { errors: errors.toJSON().errors };
}

function modal(value: unknown) {
  const errors = new FormErrors();
  const ok = validateModal(value, errors, ['data']);
  return errors.isEmpty ? { ok } : { errors: errors.toJSON().errors };
}

const err = (code: string, message: string) => ({ _errors: [{ code, message }] });
const button = (customId: string, extra: object = {}) => ({
  type: 2,
  style: 1,
  custom_id: customId,
  label: 'b',
  ...extra,
});
const row = (...items: unknown[]) => ({ type: 1, components: items });
const stringSelect = (extra: object = {}) => ({
  type: 3,
  custom_id: 'pick',
  options: [
    { label: 'A', value: 'a' },
    { label: 'B', value: 'b' },
  ],
  ...extra,
});
/** Where the errors of the first row's first item land. */
const atItem = (tree: object, index = 0) => ({ components: { '0': { components: { [index]: tree } } } });
const modalBody = (...items: unknown[]) => ({ title: 'Form', custom_id: 'form', components: items });
const textInput = (extra: object = {}) => ({ type: 4, custom_id: 'name', style: 1, label: 'Name', ...extra });

describe('validateMessageComponents', () => {
  it('returns valid components as sent; absent is undefined without error', () => {
    const sent = [
      row(
        button('a', { emoji: { name: '👍' }, disabled: true }),
        { type: 2, style: 5, url: 'https://example.com', label: 'site' },
        { type: 2, style: 6, sku_id: '1234' },
        button('d', { style: 4, id: 7 }),
      ),
      row(stringSelect({ placeholder: 'p', min_values: 0, max_values: 2 })),
      row({ type: 5, custom_id: 'u', default_values: [{ type: 'user', id: '1' }] }),
      row({
        type: 7,
        custom_id: 'm',
        max_values: 2,
        default_values: [
          { type: 'role', id: '2' },
          { type: 'user', id: '3' },
        ],
      }),
      row({ type: 8, custom_id: 'c', channel_types: [0, 2] }),
    ];
    expect(components(sent)).toEqual({ ok: sent });
    expect(components(undefined)).toEqual({ ok: undefined });
    expect(components(null)).toEqual({ ok: undefined });
    expect(components([])).toEqual({ ok: [] });
  });

  it('takes at most 5 action rows', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => row(button(`b${i}`)));
    expect(components(rows(5))).toHaveProperty('ok');
    expect(components(rows(6))).toEqual({
      errors: { components: err('BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.') },
    });
    expect(components({})).toEqual({ errors: { components: err('BASE_TYPE_BAD_TYPE', 'Must be an array.') } });
  });

  it('takes only action rows at the top level (UNION_TYPE_CHOICES at the component)', () => {
    expect(components([{ type: 10, content: 'x' }])).toEqual({
      errors: { components: { '0': err('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).') } },
    });
    expect(components([button('x')])).toHaveProperty('errors.components.0._errors.0.code', 'UNION_TYPE_CHOICES');
    expect(components([null])).toEqual({
      errors: { components: { '0': err('BASE_TYPE_REQUIRED', 'This field is required') } },
    });
    expect(components(['row'])).toEqual({
      errors: { components: { '0': err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.') } },
    });
  });

  it('takes 1..5 items per row, and only buttons and selects', () => {
    const buttons = (n: number) => Array.from({ length: n }, (_, i) => button(`b${i}`));
    expect(components([row(...buttons(5))])).toHaveProperty('ok');
    const bad = err('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    expect(components([row(...buttons(6))])).toEqual({ errors: { components: { '0': { components: bad } } } });
    expect(components([row()])).toEqual({ errors: { components: { '0': { components: bad } } } });
    expect(components([{ type: 1 }])).toEqual({
      errors: { components: { '0': { components: err('BASE_TYPE_REQUIRED', 'This field is required') } } },
    });
    expect(components([row(textInput())])).toEqual({
      errors: atItem(err('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).')),
    });
  });

  it('puts a select alone in its row (COMPONENT_LAYOUT_WIDTH_EXCEEDED)', () => {
    const wide = err('COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
    expect(components([row(stringSelect(), button('x'))])).toEqual({ errors: atItem(wide, 1) });
    expect(components([row(button('x'), stringSelect())])).toEqual({ errors: atItem(wide, 1) });
    expect(components([row({ type: 5, custom_id: 'u' }, { type: 6, custom_id: 'r' })])).toEqual({
      errors: atItem(wide, 1),
    });
  });

  it('keeps every custom_id unique in the message', () => {
    expect(components([row(button('same')), row(stringSelect({ custom_id: 'same' }))])).toEqual({
      errors: {
        components: {
          '1': {
            components: {
              '0': { custom_id: err('COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id was already specified') },
            },
          },
        },
      },
    });
  });

  it('limits custom_id to 1..100 characters', () => {
    expect(components([row(button('x'.repeat(100)))])).toHaveProperty('ok');
    expect(components([row(button('x'.repeat(101)))])).toEqual({
      errors: atItem({ custom_id: err('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.') }),
    });
    expect(components([row(stringSelect({ custom_id: '' }))])).toEqual({
      errors: atItem({ custom_id: err('BASE_TYPE_REQUIRED', 'This field is required') }),
    });
  });

  it('checks buttons by style', () => {
    expect(components([row({ type: 2, style: 1, label: 'x' })])).toEqual({
      errors: atItem({ custom_id: err('BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', 'A custom id is required') }),
    });
    expect(components([row({ type: 2, label: 'x', custom_id: 'a' })])).toEqual({
      errors: atItem({ style: err('BASE_TYPE_REQUIRED', 'This field is required') }),
    });
    expect(components([row(button('a', { style: 7 }))])).toEqual({
      errors: atItem({ style: err('BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4, 5, 6).') }),
    });
    const exclusive = err(
      'BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE',
      'A custom id and url cannot both be specified',
    );
    expect(components([row({ type: 2, style: 5, url: 'https://x.y', custom_id: 'a' })])).toEqual({
      errors: atItem({ custom_id: exclusive }),
    });
    expect(components([row(button('a', { url: 'https://x.y' }))])).toEqual({ errors: atItem({ url: exclusive }) });
    expect(components([row({ type: 2, style: 5, label: 'x' })])).toEqual({
      errors: atItem({ url: err('BUTTON_COMPONENT_URL_REQUIRED', 'A url is required') }),
    });
    expect(components([row({ type: 2, style: 6 })])).toEqual({
      errors: atItem({ sku_id: err('BUTTON_COMPONENT_SKU_ID_REQUIRED', 'A sku id is required') }),
    });
    const notForStyle = err('BUTTON_COMPONENT_FIELD_INVALID', 'This field is not allowed for this button style');
    expect(components([row({ type: 2, style: 6, sku_id: '1', label: 'x', custom_id: 'a' })])).toEqual({
      errors: atItem({ label: notForStyle, custom_id: notForStyle }),
    });
    expect(components([row(button('a', { sku_id: '1' }))])).toEqual({ errors: atItem({ sku_id: notForStyle }) });
  });

  it('limits a button label to 80 and a url to 512, well formed (http(s) or discord://)', () => {
    expect(components([row(button('a', { label: 'l'.repeat(80) }))])).toHaveProperty('ok');
    expect(components([row(button('a', { label: 'l'.repeat(81) }))])).toEqual({
      errors: atItem({ label: err('BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.') }),
    });
    const link = (url: string) => [row({ type: 2, style: 5, url })];
    const long = (n: number) => `https://example.com/${'p'.repeat(n - 20)}`;
    expect(components(link(long(512)))).toHaveProperty('ok');
    expect(components(link('discord://-/channels/1/2'))).toHaveProperty('ok');
    expect(components(link(long(513)))).toEqual({
      errors: atItem({ url: err('BASE_TYPE_MAX_LENGTH', 'Must be 512 or fewer in length.') }),
    });
    expect(components(link('ftp://x'))).toEqual({
      errors: atItem({ url: err('URL_TYPE_INVALID_URL', 'Not a well formed URL.') }),
    });
  });

  it('checks emojis: an id or a name (≤ 32)', () => {
    expect(components([row(button('a', { emoji: { id: '123', name: 'x', animated: true } }))])).toHaveProperty('ok');
    expect(components([row(button('a', { emoji: {} }))])).toEqual({
      errors: atItem({ emoji: err('BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji') }),
    });
    expect(components([row(button('a', { emoji: { name: 'n'.repeat(33) } }))])).toEqual({
      errors: atItem({ emoji: { name: err('BASE_TYPE_MAX_LENGTH', 'Must be 32 or fewer in length.') } }),
    });
    expect(components([row(button('a', { emoji: { id: 'x' } }))])).toEqual({
      errors: atItem({ emoji: { id: err('NUMBER_TYPE_COERCE', 'Value "x" is not snowflake.') } }),
    });
  });

  it('limits string select options to 1..25, texts to 100, values unique', () => {
    const options = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `l${i}`, value: `v${i}` }));
    expect(components([row(stringSelect({ options: options(25) }))])).toHaveProperty('ok');
    const bad = err('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
    expect(components([row(stringSelect({ options: options(26) }))])).toEqual({ errors: atItem({ options: bad }) });
    expect(components([row(stringSelect({ options: [] }))])).toEqual({ errors: atItem({ options: bad }) });
    expect(components([row({ type: 3, custom_id: 's' })])).toEqual({
      errors: atItem({ options: err('BASE_TYPE_REQUIRED', 'This field is required') }),
    });
    const one = (option: object) => [row(stringSelect({ options: [option] }))];
    expect(
      components(one({ label: 'l'.repeat(100), value: 'v'.repeat(100), description: 'd'.repeat(100) })),
    ).toHaveProperty('ok');
    const tooLong = err('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    expect(components(one({ label: 'l'.repeat(101), value: 'v'.repeat(101), description: 'd'.repeat(101) }))).toEqual({
      errors: atItem({ options: { '0': { label: tooLong, value: tooLong, description: tooLong } } }),
    });
    expect(components(one({ label: 'l' }))).toEqual({
      errors: atItem({ options: { '0': { value: err('BASE_TYPE_REQUIRED', 'This field is required') } } }),
    });
    expect(
      components([
        row(
          stringSelect({
            options: [
              { label: 'a', value: 'x' },
              { label: 'b', value: 'x' },
            ],
          }),
        ),
      ]),
    ).toEqual({
      errors: atItem({
        options: { '1': err('SELECT_COMPONENT_OPTION_VALUE_DUPLICATED', 'The specified option value is already used') },
      }),
    });
  });

  it('limits min_values to 0..25 and max_values to 1..25, min not above max, within the options', () => {
    const options = Array.from({ length: 25 }, (_, i) => ({ label: `l${i}`, value: `v${i}` }));
    expect(components([row(stringSelect({ options, min_values: 25, max_values: 25 }))])).toHaveProperty('ok');
    expect(components([row(stringSelect({ options, min_values: 0, max_values: 1 }))])).toHaveProperty('ok');
    expect(components([row(stringSelect({ options, min_values: 26, max_values: 26 }))])).toEqual({
      errors: atItem({
        min_values: err('NUMBER_TYPE_MAX', 'int value should be less than or equal to 25.'),
        max_values: err('NUMBER_TYPE_MAX', 'int value should be less than or equal to 25.'),
      }),
    });
    expect(components([row(stringSelect({ min_values: -1, max_values: 0 }))])).toEqual({
      errors: atItem({
        min_values: err('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 0.'),
        max_values: err('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 1.'),
      }),
    });
    expect(components([row(stringSelect({ min_values: 2 }))])).toEqual({
      errors: atItem({ min_values: err('NUMBER_TYPE_MAX', 'int value should be less than or equal to 1.') }),
    });
    expect(components([row(stringSelect({ max_values: 3 }))])).toEqual({
      errors: atItem({ options: err('BASE_TYPE_MIN_LENGTH', 'Must be 3 or more in length.') }),
    });
    const defaults = [
      { label: 'a', value: 'a', default: true },
      { label: 'b', value: 'b', default: true },
    ];
    expect(components([row(stringSelect({ options: defaults, max_values: 2 }))])).toHaveProperty('ok');
    expect(components([row(stringSelect({ options: defaults }))])).toEqual({
      errors: atItem({
        options: err(
          'SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES',
          'The specified number of default values exceeds the specified maximum values',
        ),
      }),
    });
  });

  it('limits a select placeholder to 150', () => {
    expect(components([row(stringSelect({ placeholder: 'p'.repeat(150) }))])).toHaveProperty('ok');
    expect(components([row(stringSelect({ placeholder: 'p'.repeat(151) }))])).toEqual({
      errors: atItem({ placeholder: err('BASE_TYPE_MAX_LENGTH', 'Must be 150 or fewer in length.') }),
    });
  });

  it('checks default_values of auto-populated selects (kind, id, at most 25 and max_values)', () => {
    const users = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'user', id: String(i + 1) }));
    expect(components([row({ type: 5, custom_id: 'u', max_values: 25, default_values: users(25) })])).toHaveProperty(
      'ok',
    );
    expect(components([row({ type: 5, custom_id: 'u', max_values: 25, default_values: users(26) })])).toEqual({
      errors: atItem({ default_values: err('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.') }),
    });
    expect(components([row({ type: 5, custom_id: 'u', default_values: users(2) })])).toEqual({
      errors: atItem({
        default_values: err(
          'SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES',
          'The specified number of default values exceeds the specified maximum values',
        ),
      }),
    });
    expect(components([row({ type: 6, custom_id: 'r', default_values: [{ type: 'user', id: 'x' }] })])).toEqual({
      errors: atItem({
        default_values: {
          '0': {
            type: err('BASE_TYPE_CHOICES', "Value must be one of ('role')."),
            id: err('NUMBER_TYPE_COERCE', 'Value "x" is not snowflake.'),
          },
        },
      }),
    });
  });

  it('checks channel_types of a channel select', () => {
    expect(components([row({ type: 8, custom_id: 'c', channel_types: [0, 0, 15] })])).toEqual({
      ok: [row({ type: 8, custom_id: 'c', channel_types: [0, 15] })],
    });
    expect(components([row({ type: 8, custom_id: 'c', channel_types: [99] })])).toHaveProperty(
      'errors.components.0.components.0.channel_types.0._errors.0.code',
      'BASE_TYPE_CHOICES',
    );
  });

  it('keeps a component id of 0..2^31-1', () => {
    expect(components([row(button('a', { id: 2 ** 31 - 1 }))])).toHaveProperty('ok');
    expect(components([row(button('a', { id: 2 ** 31 }))])).toEqual({
      errors: atItem({ id: err('NUMBER_TYPE_MAX', 'int value should be less than or equal to 2147483647.') }),
    });
  });
});

describe('validateModal', () => {
  it('returns a valid modal as sent', () => {
    const sent = modalBody(
      row(textInput({ style: 2, placeholder: 'p', value: 'v', min_length: 0, max_length: 10, required: false })),
      { type: 10, content: 'Some text' },
      { type: 18, label: 'Pick', description: 'd', component: stringSelect() },
      { type: 18, label: 'Note', component: { type: 4, custom_id: 'note', style: 1 } },
      { type: 18, label: 'Who', component: { type: 5, custom_id: 'who' } },
    );
    expect(modal(sent)).toEqual({ ok: sent });
  });

  it('requires a title of 1..45 and a custom_id of 1..100', () => {
    expect(modal({ ...modalBody(row(textInput())), title: 't'.repeat(45), custom_id: 'c'.repeat(100) })).toHaveProperty(
      'ok',
    );
    expect(modal({ ...modalBody(row(textInput())), title: 't'.repeat(46), custom_id: 'c'.repeat(101) })).toEqual({
      errors: {
        data: {
          title: err('BASE_TYPE_MAX_LENGTH', 'Must be 45 or fewer in length.'),
          custom_id: err('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'),
        },
      },
    });
    expect(modal({ components: [row(textInput())] })).toEqual({
      errors: {
        data: {
          title: err('BASE_TYPE_REQUIRED', 'This field is required'),
          custom_id: err('BASE_TYPE_REQUIRED', 'This field is required'),
        },
      },
    });
    expect(modal(undefined)).toEqual({ errors: { data: err('BASE_TYPE_REQUIRED', 'This field is required') } });
  });

  it('takes 1..5 components: action rows, text displays, labels', () => {
    const inputs = (n: number) => Array.from({ length: n }, (_, i) => row(textInput({ custom_id: `i${i}` })));
    expect(modal(modalBody(...inputs(5)))).toHaveProperty('ok');
    const bad = err('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    expect(modal(modalBody(...inputs(6)))).toEqual({ errors: { data: { components: bad } } });
    expect(modal(modalBody())).toEqual({ errors: { data: { components: bad } } });
    expect(modal(modalBody(button('x')))).toEqual({
      errors: {
        data: { components: { '0': err('UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 10, 18).') } },
      },
    });
  });

  it('holds one text input per action row, custom_ids unique', () => {
    expect(modal(modalBody(row(textInput({ custom_id: 'a' }), textInput({ custom_id: 'b' }))))).toEqual({
      errors: {
        data: {
          components: {
            '0': {
              components: {
                '1': err('COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width'),
              },
            },
          },
        },
      },
    });
    expect(modal(modalBody(row(button('x'))))).toHaveProperty(
      'errors.data.components.0.components.0._errors.0.message',
      'Value of field "type" must be one of (4,).',
    );
    expect(modal(modalBody(row(textInput()), row(textInput())))).toHaveProperty(
      'errors.data.components.1.components.0.custom_id._errors.0.code',
      'COMPONENT_CUSTOM_ID_DUPLICATED',
    );
  });

  it('checks text inputs: style, label ≤ 45, lengths 0..4000, value ≤ 4000 and ≤ max_length', () => {
    const one = (extra: object) => modal(modalBody(row(textInput(extra))));
    const at = (tree: object) => ({ errors: { data: { components: { '0': { components: { '0': tree } } } } } });
    expect(one({ label: 'l'.repeat(45), value: 'v'.repeat(4000), min_length: 4000, max_length: 4000 })).toHaveProperty(
      'ok',
    );
    expect(one({ label: 'l'.repeat(46), value: 'v'.repeat(4001), placeholder: 'p'.repeat(101) })).toEqual(
      at({
        label: err('BASE_TYPE_MAX_LENGTH', 'Must be 45 or fewer in length.'),
        value: err('BASE_TYPE_MAX_LENGTH', 'Must be 4000 or fewer in length.'),
        placeholder: err('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'),
      }),
    );
    expect(one({ min_length: 4001, max_length: 0 })).toEqual(
      at({
        min_length: err('NUMBER_TYPE_MAX', 'int value should be less than or equal to 4000.'),
        max_length: err('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 1.'),
      }),
    );
    expect(one({ min_length: 5, max_length: 4 })).toEqual(
      at({ min_length: err('NUMBER_TYPE_MAX', 'int value should be less than or equal to 4.') }),
    );
    expect(one({ value: 'abc', max_length: 2 })).toEqual(
      at({ value: err('BASE_TYPE_MAX_LENGTH', 'Must be 2 or fewer in length.') }),
    );
    expect(one({ style: 3, label: undefined })).toEqual(
      at({
        style: err('BASE_TYPE_CHOICES', 'Value must be one of (1, 2).'),
        label: err('BASE_TYPE_REQUIRED', 'This field is required'),
      }),
    );
  });

  it('checks labels: label 1..45, description ≤ 100, a text input (without its own label) or a select', () => {
    const label = (extra: object) =>
      modal(modalBody({ type: 18, label: 'L', component: textInput({ label: undefined }), ...extra }));
    expect(label({ label: 'l'.repeat(45), description: 'd'.repeat(100) })).toHaveProperty('ok');
    expect(label({ label: 'l'.repeat(46), description: 'd'.repeat(101) })).toEqual({
      errors: {
        data: {
          components: {
            '0': {
              label: err('BASE_TYPE_MAX_LENGTH', 'Must be 45 or fewer in length.'),
              description: err('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'),
            },
          },
        },
      },
    });
    expect(label({ component: textInput() })).toHaveProperty(
      'errors.data.components.0.component.label._errors.0.code',
      'TEXT_INPUT_COMPONENT_LABEL_INVALID',
    );
    expect(label({ component: button('b') })).toHaveProperty(
      'errors.data.components.0.component._errors.0.message',
      'Value of field "type" must be one of (3, 4, 5, 6, 7, 8).',
    );
    expect(label({ component: undefined })).toHaveProperty(
      'errors.data.components.0.component._errors.0.code',
      'BASE_TYPE_REQUIRED',
    );
  });

  it('limits a text display to 1..4000', () => {
    expect(modal(modalBody({ type: 10, content: 'c'.repeat(4000) }))).toHaveProperty('ok');
    expect(modal(modalBody({ type: 10, content: 'c'.repeat(4001) }))).toHaveProperty(
      'errors.data.components.0.content._errors.0.code',
      'BASE_TYPE_MAX_LENGTH',
    );
    expect(modal(modalBody({ type: 10, content: '' }))).toHaveProperty(
      'errors.data.components.0.content._errors.0.code',
      'BASE_TYPE_REQUIRED',
    );
  });
});

describe('completeComponents', () => {
  it('numbers components without an id from 1, parents first, skipping the ids the sender chose; selects get min/max', () => {
    const sent = [row(button('a'), button('b', { id: 3 })), row(stringSelect())];
    expect(completeComponents(sent)).toEqual([
      { ...row({ ...button('a'), id: 2 }, button('b', { id: 3 })), id: 1 },
      { ...row({ min_values: 1, max_values: 1, ...stringSelect(), id: 5 }), id: 4 },
    ]);
    // The input is left as it is.
    expect(sent[0]).not.toHaveProperty('id');
    const labelled = [{ type: 18, label: 'L', component: textInput({ label: undefined }) }];
    expect(completeComponents(labelled)).toEqual([
      { ...labelled[0], id: 1, component: { ...textInput({ label: undefined }), id: 2 } },
    ]);
  });
});
