import { describe, expect, it } from 'vitest';
import {
  applicationCommandLimits,
  FormErrors,
  InvalidFormBodyError,
  validateApplicationCommand,
  validateApplicationCommandList,
} from '../src/index.js';

/** The 50035 `errors` tree `validateApplicationCommand` throws for `body`, or the command when it accepts it. */
function check(body: unknown) {
  try {
    return { ok: validateApplicationCommand(body) };
  } catch (error) {
    if (!(error instanceof InvalidFormBodyError)) throw error;
    return { errors: error.body.errors };
  }
}

function checkList(body: unknown) {
  try {
    return { ok: validateApplicationCommandList(body) };
  } catch (error) {
    if (!(error instanceof InvalidFormBodyError)) throw error;
    return { errors: error.body.errors };
  }
}

/** The codes at `path` of the errors tree (`[]` when none). */
function codesAt(result: { errors?: unknown }, ...path: (string | number)[]): string[] {
  let node = result.errors as Record<string, unknown> | undefined;
  for (const segment of path) node = node?.[String(segment)] as Record<string, unknown> | undefined;
  const list = (node?._errors ?? []) as { code: string }[];
  return list.map((error) => error.code);
}

const chatInput = (extra: Record<string, unknown> = {}) => ({ name: 'ping', description: 'Pong!', ...extra });
const stringOption = (extra: Record<string, unknown> = {}) => ({
  type: 3,
  name: 'text',
  description: 'Some text',
  ...extra,
});

describe('validateApplicationCommand: accepted commands', () => {
  it('defaults the type to CHAT_INPUT and keeps only the fields Discord keeps', () => {
    expect(check({ name: 'ping', description: 'Pong!', unknown: 1 })).toEqual({
      ok: { type: 1, name: 'ping', description: 'Pong!' },
    });
  });

  it('accepts a command with subcommand groups, localizations, choices and every top-level field', () => {
    const body = {
      type: 1,
      name: 'permissions',
      name_localizations: { fr: 'permissions', 'es-ES': 'permisos', ja: '権限' },
      description: 'Get or edit permissions',
      description_localizations: { fr: 'Voir ou modifier les permissions', de: null },
      default_member_permissions: '8',
      dm_permission: false,
      nsfw: false,
      contexts: [0, 1],
      integration_types: [0, 1],
      options: [
        {
          type: 2,
          name: 'user',
          description: 'Permissions of a user',
          options: [
            {
              type: 1,
              name: 'get',
              description: 'Get them',
              options: [
                { type: 6, name: 'user', description: 'The user', required: true },
                { type: 7, name: 'channel', description: 'A channel', channel_types: [0, 2, 0] },
              ],
            },
          ],
        },
        {
          type: 1,
          name: 'say',
          description: 'Say something',
          options: [
            stringOption({
              required: true,
              choices: [
                { name: 'Hello', value: 'hello', name_localizations: { fr: 'Bonjour' } },
                { name: 'Bye bye', value: 'bye' },
              ],
            }),
            { type: 4, name: 'times', description: 'How many', min_value: 1, max_value: 10 },
            { type: 10, name: 'factor', description: 'A factor', choices: [{ name: 'half', value: 0.5 }] },
            stringOption({ name: 'suffix', min_length: 0, max_length: 6000, autocomplete: true }),
          ],
        },
      ],
    };
    const result = check(body);
    expect(result.errors).toBeUndefined();
    expect(result.ok).toMatchObject({ name: 'permissions', default_member_permissions: '8', contexts: [0, 1] });
    // JDA sends the integers as strings; Discord takes them, stored as numbers.
    const asStrings = check({ ...body, contexts: ['0', '1'], integration_types: ['0'] });
    expect(asStrings.errors).toBeUndefined();
    expect(asStrings.ok).toMatchObject({ contexts: [0, 1], integration_types: [0] });
    expect((result.ok as { options?: unknown[] } | undefined)?.options?.[0]).toMatchObject({
      options: [{ options: [{}, { channel_types: [0, 2] }] }],
    });
  });

  it('accepts names in scripts Discord allows: Devanagari, Thai, digits, hyphens, apostrophes', () => {
    for (const name of ['नमस्ते', 'สวัสดี', 'top-10', "don't", 'ünïcode', '日本語', 'a'.repeat(32)])
      expect(check(chatInput({ name })).errors, name).toBeUndefined();
  });

  it('accepts USER and MESSAGE commands with any name of 1..32 characters and keeps an empty description', () => {
    expect(check({ type: 2, name: 'High Five!' })).toEqual({ ok: { type: 2, name: 'High Five!', description: '' } });
    expect(check({ type: 3, name: 'Report Message', description: '' }).ok).toMatchObject({ type: 3 });
  });

  it('accepts a null default_member_permissions and normalizes a bit-set', () => {
    expect(check(chatInput({ default_member_permissions: null })).ok).toMatchObject({
      default_member_permissions: null,
    });
    expect(check(chatInput({ default_member_permissions: '0032' })).ok).toMatchObject({
      default_member_permissions: '32',
    });
  });

  it('adds to a given collector under a given path, and throws with what was there', () => {
    const errors = new FormErrors();
    errors.add(['other'], 'X', 'x');
    expect(() => validateApplicationCommand(chatInput({ name: 'Bad' }), errors, ['command'])).toThrow(
      InvalidFormBodyError,
    );
    expect(errors.toJSON().errors).toMatchObject({ other: {}, command: { name: {} } });
  });
});

describe('validateApplicationCommand: refused commands', () => {
  it('refuses a body that is not an object', () => {
    expect(codesAt(check([]))).toEqual(['MODEL_TYPE_CONVERT']);
    expect(codesAt(check(null))).toEqual(['BASE_TYPE_REQUIRED']);
  });

  it('refuses unknown types and PRIMARY_ENTRY_POINT', () => {
    for (const type of [0, 4, 5, '1', 1.5])
      expect(codesAt(check(chatInput({ type })), 'type')).toEqual(['BASE_TYPE_CHOICES']);
  });

  it('refuses a CHAT_INPUT name that is missing, too long, badly formed or not lowercase', () => {
    expect(codesAt(check({ description: 'd' }), 'name')).toEqual(['BASE_TYPE_REQUIRED']);
    expect(codesAt(check(chatInput({ name: 'a'.repeat(33) })), 'name')).toEqual(['BASE_TYPE_BAD_LENGTH']);
    expect(codesAt(check(chatInput({ name: '' })), 'name')).toEqual(['BASE_TYPE_BAD_LENGTH']);
    expect(codesAt(check(chatInput({ name: 7 })), 'name')).toEqual(['BASE_TYPE_BAD_TYPE']);
    for (const name of ['with space', 'emoji😀', 'dot.name'])
      expect(codesAt(check(chatInput({ name })), 'name'), name).toEqual([
        'STRING_TYPE_REGEX',
        'APPLICATION_COMMAND_INVALID_NAME',
      ]);
    for (const name of ['Ping', 'ÉCOLE'])
      expect(codesAt(check(chatInput({ name })), 'name'), name).toEqual(['APPLICATION_COMMAND_INVALID_NAME']);
  });

  it('refuses a USER or MESSAGE name outside 1..32 characters', () => {
    expect(codesAt(check({ type: 2, name: 'x'.repeat(33) }), 'name')).toEqual(['BASE_TYPE_BAD_LENGTH']);
    expect(codesAt(check({ type: 3 }), 'name')).toEqual(['BASE_TYPE_REQUIRED']);
  });

  it('requires a CHAT_INPUT description of 1..100 characters', () => {
    expect(codesAt(check({ name: 'ping' }), 'description')).toEqual(['BASE_TYPE_REQUIRED']);
    expect(codesAt(check(chatInput({ description: '' })), 'description')).toEqual(['BASE_TYPE_BAD_LENGTH']);
    expect(codesAt(check(chatInput({ description: 'd'.repeat(101) })), 'description')).toEqual([
      'BASE_TYPE_BAD_LENGTH',
    ]);
  });

  it('refuses a description or options on USER and MESSAGE commands', () => {
    expect(codesAt(check({ type: 2, name: 'x', description: 'd' }), 'description')).toEqual([
      'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
    ]);
    expect(codesAt(check({ type: 3, name: 'x', options: [stringOption()] }), 'options')).toEqual([
      'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS',
    ]);
  });

  it('refuses localizations with unknown locales or invalid values', () => {
    const result = check(
      chatInput({ name_localizations: { xx: 'a', fr: 'Majuscule' }, description_localizations: { de: '' } }),
    );
    expect(codesAt(result, 'name_localizations', 'xx')).toEqual(['APPLICATION_COMMAND_INVALID_LOCALE']);
    expect(codesAt(result, 'name_localizations', 'fr')).toEqual(['APPLICATION_COMMAND_INVALID_NAME']);
    expect(codesAt(result, 'description_localizations', 'de')).toEqual(['BASE_TYPE_BAD_LENGTH']);
    expect(codesAt(check(chatInput({ name_localizations: [] })), 'name_localizations')).toEqual(['MODEL_TYPE_CONVERT']);
  });

  it('refuses more than 25 options and unknown option types', () => {
    const many = Array.from({ length: 26 }, (_, i) => stringOption({ name: `o${i}` }));
    expect(codesAt(check(chatInput({ options: many })), 'options')).toEqual(['BASE_TYPE_MAX_LENGTH']);
    expect(codesAt(check(chatInput({ options: [stringOption({ type: 12 })] })), 'options', 0, 'type')).toEqual([
      'BASE_TYPE_CHOICES',
    ]);
    expect(codesAt(check(chatInput({ options: [stringOption({ type: undefined })] })), 'options', 0, 'type')).toEqual([
      'BASE_TYPE_REQUIRED',
    ]);
  });

  it('refuses an option name or description that breaks the rules', () => {
    const result = check(chatInput({ options: [stringOption({ name: 'Bad Name', description: '' })] }));
    expect(codesAt(result, 'options', 0, 'name')).toEqual(['STRING_TYPE_REGEX', 'APPLICATION_COMMAND_INVALID_NAME']);
    expect(codesAt(result, 'options', 0, 'description')).toEqual(['BASE_TYPE_BAD_LENGTH']);
  });

  it('refuses a command mixing subcommands with other options', () => {
    const options = [{ type: 1, name: 'sub', description: 'd' }, stringOption()];
    expect(codesAt(check(chatInput({ options })), 'options')).toEqual(['APPLICATION_COMMAND_OPTIONS_TYPE_INVALID']);
  });

  it('refuses groups holding anything but subcommands, and subcommands holding subcommands or groups', () => {
    const inGroup = chatInput({
      options: [
        { type: 2, name: 'g', description: 'd', options: [stringOption(), { type: 2, name: 'h', description: 'd' }] },
      ],
    });
    const result = check(inGroup);
    expect(codesAt(result, 'options', 0, 'options', 0, 'type')).toEqual(['APPLICATION_COMMAND_OPTIONS_TYPE_INVALID']);
    expect(codesAt(result, 'options', 0, 'options', 1, 'type')).toEqual(['APPLICATION_COMMAND_OPTIONS_TYPE_INVALID']);
    const inSub = chatInput({
      options: [{ type: 1, name: 's', description: 'd', options: [{ type: 1, name: 't', description: 'd' }] }],
    });
    expect(codesAt(check(inSub), 'options', 0, 'options', 0, 'type')).toEqual([
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
    ]);
    expect(codesAt(check(chatInput({ options: [stringOption({ options: [] })] })), 'options', 0, 'options')).toEqual([
      'APPLICATION_COMMAND_OPTION_FIELD_INVALID',
    ]);
  });

  it('refuses each required option placed after an optional one, at that option', () => {
    const options = [
      stringOption({ name: 'a', required: true }),
      stringOption({ name: 'b' }),
      stringOption({ name: 'c', required: true }),
      stringOption({ name: 'd', required: true }),
    ];
    const result = check(chatInput({ options }));
    expect([0, 1, 2, 3].map((index) => codesAt(result, 'options', index))).toEqual([
      [],
      [],
      ['APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID'],
      ['APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID'],
    ]);
    const nested = chatInput({ options: [{ type: 1, name: 's', description: 'd', options }] });
    expect(codesAt(check(nested), 'options', 0, 'options', 2)).toEqual([
      'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
    ]);
  });

  it('refuses two options of one level with the same name', () => {
    const options = [stringOption(), stringOption({ type: 4 })];
    expect(codesAt(check(chatInput({ options })), 'options')).toEqual(['APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME']);
    const subs = [1, 1].map(() => ({ type: 1, name: 'same', description: 'd', options: [stringOption()] }));
    expect(codesAt(check(chatInput({ options: subs })), 'options')).toEqual([
      'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME',
    ]);
  });

  it('refuses choices: too many, of the wrong type, too long, with autocomplete, or on other types', () => {
    const at = (option: object, ...path: (string | number)[]) =>
      codesAt(check(chatInput({ options: [option] })), 'options', 0, ...path);
    const many = Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `${i}` }));
    expect(at(stringOption({ choices: many }), 'choices')).toEqual(['BASE_TYPE_MAX_LENGTH']);
    expect(at(stringOption({ choices: [{ name: 'a', value: 1 }] }), 'choices', 0, 'value')).toEqual([
      'APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID',
    ]);
    expect(at(stringOption({ choices: [{ name: 'a', value: 'v'.repeat(101) }] }), 'choices', 0, 'value')).toEqual([
      'BASE_TYPE_BAD_LENGTH',
    ]);
    expect(at(stringOption({ choices: [{ name: 'n'.repeat(101), value: 'v' }] }), 'choices', 0, 'name')).toEqual([
      'BASE_TYPE_BAD_LENGTH',
    ]);
    expect(at(stringOption({ type: 4, choices: [{ name: 'a', value: 1.5 }] }), 'choices', 0, 'value')).toEqual([
      'NUMBER_TYPE_COERCE',
    ]);
    expect(at(stringOption({ type: 10, choices: [{ name: 'a', value: '1' }] }), 'choices', 0, 'value')).toEqual([
      'APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID',
    ]);
    expect(at(stringOption({ choices: [{ name: 'a', value: 'a' }], autocomplete: true }), 'autocomplete')).toEqual([
      'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE',
    ]);
    expect(at(stringOption({ type: 5, choices: [{ name: 'a', value: 'a' }] }), 'choices')).toEqual([
      'APPLICATION_COMMAND_OPTION_FIELD_INVALID',
    ]);
  });

  it('refuses min_value/max_value out of place or out of order, and non-integers on INTEGER', () => {
    const at = (option: object, key: string) => codesAt(check(chatInput({ options: [option] })), 'options', 0, key);
    expect(at(stringOption({ type: 4, min_value: 1.5 }), 'min_value')).toEqual(['NUMBER_TYPE_COERCE']);
    expect(at(stringOption({ type: 10, min_value: 5, max_value: 1 }), 'min_value')).toEqual([
      'APPLICATION_COMMAND_OPTION_RANGE_INVALID',
    ]);
    expect(at(stringOption({ type: 10, max_value: 2 ** 54 }), 'max_value')).toEqual(['NUMBER_TYPE_MAX']);
    expect(at(stringOption({ min_value: 1 }), 'min_value')).toEqual(['APPLICATION_COMMAND_OPTION_FIELD_INVALID']);
  });

  it('refuses min_length/max_length outside 0..6000 or on other types', () => {
    const at = (option: object, key: string) => codesAt(check(chatInput({ options: [option] })), 'options', 0, key);
    expect(at(stringOption({ min_length: -1 }), 'min_length')).toEqual(['NUMBER_TYPE_MIN']);
    expect(at(stringOption({ max_length: 6001 }), 'max_length')).toEqual(['NUMBER_TYPE_MAX']);
    expect(at(stringOption({ min_length: 10, max_length: 5 }), 'min_length')).toEqual([
      'APPLICATION_COMMAND_OPTION_RANGE_INVALID',
    ]);
    expect(at(stringOption({ type: 4, max_length: 5 }), 'max_length')).toEqual([
      'APPLICATION_COMMAND_OPTION_FIELD_INVALID',
    ]);
  });

  it('refuses unknown channel types and channel_types on other types', () => {
    const at = (option: object, ...path: (string | number)[]) =>
      codesAt(check(chatInput({ options: [option] })), 'options', 0, ...path);
    expect(at(stringOption({ type: 7, channel_types: [0, 99] }), 'channel_types', 1)).toEqual(['BASE_TYPE_CHOICES']);
    expect(at(stringOption({ channel_types: [0] }), 'channel_types')).toEqual([
      'APPLICATION_COMMAND_OPTION_FIELD_INVALID',
    ]);
  });

  it('refuses bad top-level fields', () => {
    const result = check(
      chatInput({
        default_member_permissions: 'admin',
        dm_permission: 'no',
        nsfw: 1,
        contexts: [0, 3],
        integration_types: [2],
      }),
    );
    expect(codesAt(result, 'default_member_permissions')).toEqual(['NUMBER_TYPE_COERCE']);
    expect(codesAt(result, 'dm_permission')).toEqual(['BASE_TYPE_BAD_TYPE']);
    expect(codesAt(result, 'nsfw')).toEqual(['BASE_TYPE_BAD_TYPE']);
    expect(codesAt(result, 'contexts', 1)).toEqual(['BASE_TYPE_CHOICES']);
    expect(codesAt(result, 'integration_types', 0)).toEqual(['BASE_TYPE_CHOICES']);
    expect(
      codesAt(check(chatInput({ default_member_permissions: '1'.repeat(21) })), 'default_member_permissions'),
    ).toEqual(['NUMBER_TYPE_COERCE']);
  });

  it('refuses a command over 8000 characters in total, counting the longest localization of each field', () => {
    const description = 'd'.repeat(100);
    const choices = Array.from({ length: 25 }, (_, i) => ({ name: `${i}`.padEnd(100, 'n'), value: 'v'.repeat(100) }));
    const sub = (i: number, list: object[] = choices) => ({
      type: 1,
      name: `s${i}`,
      description,
      options: [stringOption({ choices: list })],
    });
    expect(codesAt(check(chatInput({ options: [sub(1), sub(2)] })))).toEqual(['APPLICATION_COMMAND_TOO_LARGE']);
    // Short choice names (~2650 characters per subcommand) fit; a 100-character localization of each counts instead.
    const short = choices.map((choice, i) => ({ ...choice, name: `c${i}` }));
    expect(check(chatInput({ options: [sub(1, short), sub(2, short)] })).errors).toBeUndefined();
    const localized = short.map((choice) => ({ ...choice, name_localizations: { fr: 'f'.repeat(100) } }));
    expect(codesAt(check(chatInput({ options: [sub(1, localized), sub(2, localized)] })))).toEqual([
      'APPLICATION_COMMAND_TOO_LARGE',
    ]);
    expect(applicationCommandLimits.commandTotal).toBe(8000);
  });
});

describe('validateApplicationCommand: bounded work', () => {
  it('refuses huge lists and dictionaries without walking them, with a bounded answer', () => {
    // Items read from the over-long list are counted: a refused list is never walked.
    let reads = 0;
    const huge = new Proxy(
      Array.from({ length: 100_000 }, () => stringOption()),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
          return Reflect.get(target, key, receiver);
        },
      },
    );
    const keys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'x']));
    const result = check(chatInput({ options: huge, name_localizations: keys }));
    expect(reads).toBe(0);
    expect(codesAt(result, 'options')).toEqual(['BASE_TYPE_MAX_LENGTH']);
    expect(Object.keys((result.errors as { name_localizations: object }).name_localizations).length).toBeLessThan(40);
  });
});

describe('validateApplicationCommandList', () => {
  it('accepts a list of commands of every type', () => {
    const result = checkList([chatInput(), { type: 2, name: 'ping' }, { type: 3, name: 'ping' }]);
    expect(result.ok).toHaveLength(3);
  });

  it('reports each command at its index', () => {
    expect(codesAt(checkList([chatInput(), chatInput({ name: 'X' })]), 1, 'name')).toEqual([
      'APPLICATION_COMMAND_INVALID_NAME',
    ]);
    expect(codesAt(checkList({}))).toEqual(['BASE_TYPE_BAD_TYPE']);
  });

  it('refuses a name used twice within one type', () => {
    const result = checkList([chatInput(), { type: 2, name: 'ping' }, chatInput({ description: 'again' })]);
    expect(codesAt(result, 2)).toEqual(['APPLICATION_COMMANDS_DUPLICATE_NAME']);
    expect(codesAt(result, 0)).toEqual([]);
  });

  it('refuses more than 100 CHAT_INPUT or 15 USER commands', () => {
    const chat = Array.from({ length: 101 }, (_, i) => chatInput({ name: `c${i}` }));
    expect(codesAt(checkList(chat))).toEqual(['APPLICATION_COMMANDS_TOO_MANY']);
    const users = Array.from({ length: 16 }, (_, i) => ({ type: 2, name: `U ${i}` }));
    expect(codesAt(checkList(users))).toEqual(['APPLICATION_COMMANDS_TOO_MANY']);
    expect(checkList(users.slice(0, 15)).ok).toHaveLength(15);
    expect(codesAt(checkList(Array.from({ length: 131 }, () => ({}))))).toEqual(['BASE_TYPE_MAX_LENGTH']);
  });
});
