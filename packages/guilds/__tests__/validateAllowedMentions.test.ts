import { describe, expect, it } from 'vitest';
import { FormErrors, validateAllowedMentions } from '../src/index.js';

function check(value: unknown) {
  const errors = new FormErrors();
  const result = validateAllowedMentions(value, errors);
  return errors.isEmpty ? { ok: result } : { body: errors.toJSON() };
}

const err = (code: string, message: string) => ({ _errors: [{ code, message }] });
const body = (allowed_mentions: object) => ({
  body: { code: 50035, message: 'Invalid Form Body', errors: { allowed_mentions } },
});

describe('validateAllowedMentions', () => {
  it('normalizes: absent fields filled, ids as unique strings, parse as a set', () => {
    expect(check({ parse: ['everyone', 'everyone'], users: ['1234', 5678, '1234'], replied_user: true })).toEqual({
      ok: { parse: ['everyone'], roles: [], users: ['1234', '5678'], replied_user: true },
    });
    expect(check({})).toEqual({ ok: { parse: [], roles: [], users: [], replied_user: false } });
    expect(check({ parse: null, roles: null })).toEqual({
      ok: { parse: [], roles: [], users: [], replied_user: false },
    });
    expect(check(undefined)).toEqual({ ok: undefined });
    expect(check(null)).toEqual({ ok: undefined });
  });

  it("refuses parse: ['users'] with a users list, as Discord documents (and roles likewise)", () => {
    expect(check({ parse: ['users'], users: ['1234', '5678'] })).toEqual(
      body(
        err('MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["users"] and users: [ids...] are mutually exclusive.'),
      ),
    );
    expect(check({ parse: ['roles', 'users'], roles: ['1'], users: ['2'] })).toEqual(
      body({
        _errors: [
          {
            code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
            message: 'parse:["users"] and users: [ids...] are mutually exclusive.',
          },
          {
            code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
            message: 'parse:["roles"] and roles: [ids...] are mutually exclusive.',
          },
        ],
      }),
    );
    // Discord: an empty or null list beside parse is no conflict; neither is parse: ['everyone'] with users.
    expect(check({ parse: ['users', 'roles'], users: [], roles: null })).toHaveProperty('ok');
    expect(check({ parse: ['everyone'], users: ['1234', '5678'] })).toHaveProperty('ok');
  });

  it('refuses unknown mention types, bad ids, more than 100 ids, wrong types', () => {
    expect(
      check({
        parse: ['users', 'here'],
        roles: ['12', 'abc', -1, '01'],
        users: Array.from({ length: 101 }, (_, i) => String(i + 1)),
        replied_user: 'yes',
      }),
    ).toEqual(
      body({
        parse: { '1': err('BASE_TYPE_CHOICES', "Value must be one of ('roles', 'users', 'everyone').") },
        roles: {
          '1': err('NUMBER_TYPE_COERCE', 'Value "abc" is not snowflake.'),
          '2': err('NUMBER_TYPE_COERCE', 'Value "-1" is not snowflake.'),
          '3': err('NUMBER_TYPE_COERCE', 'Value "01" is not snowflake.'),
        },
        users: err('BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'),
        replied_user: err('BASE_TYPE_BAD_TYPE', 'Must be a boolean.'),
      }),
    );
    expect(check('all')).toEqual(body(err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.')));
    expect(check({ users: '1234' })).toEqual(body({ users: err('BASE_TYPE_BAD_TYPE', 'Must be an array.') }));
    expect(check({ users: Array.from({ length: 100 }, (_, i) => String(i + 1)) })).toHaveProperty('ok');
  });
});
