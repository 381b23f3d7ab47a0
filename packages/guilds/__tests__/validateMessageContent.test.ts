import { describe, expect, it } from 'vitest';
import {
  EmptyMessageError,
  FormErrors,
  InvalidFormBodyError,
  type ValidationError,
  validateMessageContent,
} from '../src/index.js';

/** What a REST server would answer: the returned fields, or the thrown error's body. */
function answer(body: unknown, options?: Parameters<typeof validateMessageContent>[1]) {
  try {
    return { ok: validateMessageContent(body, options) };
  } catch (error) {
    return { status: 400, body: (error as ValidationError).body };
  }
}

const err = (code: string, message: string) => ({ _errors: [{ code, message }] });
const invalid = (errors: object) => ({ status: 400, body: { code: 50035, message: 'Invalid Form Body', errors } });
const empty = { status: 400, body: { code: 50006, message: 'Cannot send an empty message' } };

describe('validateMessageContent', () => {
  it('returns the checked fields of a valid message', () => {
    expect(
      answer({
        content: 'hello <@1234>',
        nonce: '1180000000000000000',
        tts: false,
        allowed_mentions: { users: ['1234'] },
        embeds: [{ title: 'x' }],
        message_reference: { message_id: '1' },
      }),
    ).toEqual({
      ok: {
        content: 'hello <@1234>',
        nonce: '1180000000000000000',
        tts: false,
        allowed_mentions: { parse: [], roles: [], users: ['1234'], replied_user: false },
        embeds: [{ title: 'x' }],
      },
    });
    expect(answer({ content: 'x', nonce: 42 })).toEqual({ ok: { content: 'x', nonce: 42 } });
  });

  it('limits content to 2000 characters (code points)', () => {
    expect(answer({ content: 'x'.repeat(2000) })).toHaveProperty('ok');
    expect(answer({ content: '😀'.repeat(2000) })).toHaveProperty('ok');
    expect(answer({ content: 'x'.repeat(2001) })).toEqual(
      invalid({ content: err('BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.') }),
    );
  });

  it('reports every bad field of the body at once', () => {
    expect(
      answer({
        content: 12,
        tts: 'true',
        nonce: 'n'.repeat(26),
        embeds: [{ title: 't'.repeat(300) }],
        allowed_mentions: { parse: ['users'], users: ['1'] },
      }),
    ).toEqual(
      invalid({
        content: err('BASE_TYPE_BAD_TYPE', 'Must be a string.'),
        tts: err('BASE_TYPE_BAD_TYPE', 'Must be a boolean.'),
        nonce: err('NONCE_TYPE_TOO_LONG', 'Must be 25 or fewer characters long.'),
        embeds: { '0': { title: err('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.') } },
        allowed_mentions: err(
          'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
          'parse:["users"] and users: [ids...] are mutually exclusive.',
        ),
      }),
    );
  });

  it('takes a nonce as a string of at most 25 characters or an integer', () => {
    const nonceType = invalid({ nonce: err('NONCE_TYPE_INVALID_TYPE', 'This field must be a string or integer.') });
    expect(answer({ content: 'x', nonce: 1.5 })).toEqual(nonceType);
    expect(answer({ content: 'x', nonce: {} })).toEqual(nonceType);
    expect(answer({ content: 'x', nonce: true })).toEqual(nonceType);
    expect(answer({ content: 'x', nonce: 'n'.repeat(25) })).toHaveProperty('ok');
  });

  it('throws 50006 for a message with nothing to send, after the form errors', () => {
    for (const body of [
      {},
      { content: '' },
      { content: '   \n' },
      { embeds: [] },
      { sticker_ids: [] },
      { tts: true },
    ]) {
      expect(answer(body)).toEqual(empty);
    }
    expect(() => validateMessageContent({})).toThrow(EmptyMessageError);
    // A malformed field wins over emptiness.
    expect(answer({ tts: 1 })).toEqual(invalid({ tts: err('BASE_TYPE_BAD_TYPE', 'Must be a boolean.') }));
    for (const body of [
      { embeds: [{}] },
      { sticker_ids: ['1'] },
      { attachments: [{ id: 0 }] },
      { poll: { question: { text: 'q' } } },
    ]) {
      expect(answer(body)).toHaveProperty('ok');
    }
    expect(answer({}, { files: 1 })).toEqual({ ok: {} });
    // Components alone are something to send, where an application sends them.
    const components = [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'b', label: 'B' }] }];
    expect(answer({ components }, { components: true })).toEqual({
      ok: { components: [{ type: 1, id: 1, components: [{ type: 2, id: 2, style: 1, custom_id: 'b', label: 'B' }] }] },
    });
    expect(answer({ components: [] }, { components: true })).toEqual(empty);
  });

  it('takes components only where allowed, checked by validateMessageComponents', () => {
    const components = [{ type: 1, components: [{ type: 2, style: 5, url: 'https://example.com', label: 'L' }] }];
    expect(answer({ content: 'x', components })).toEqual(
      invalid({
        components: err('MESSAGE_COMPONENTS_NOT_ALLOWED', 'Only applications can send message components'),
      }),
    );
    // An empty list sends no components: nothing to refuse.
    expect(answer({ content: 'x', components: [] })).toEqual({ ok: { content: 'x' } });
    // Returned with their ids, as Discord numbers them.
    expect(answer({ content: 'x', components }, { components: true })).toEqual({
      ok: {
        content: 'x',
        components: [
          { type: 1, id: 1, components: [{ type: 2, id: 2, style: 5, url: 'https://example.com', label: 'L' }] },
        ],
      },
    });
    expect(answer({ content: 'x', components: [{ type: 1, components: [] }] }, { components: true })).toEqual(
      invalid({
        components: { '0': { components: err('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.') } },
      }),
    );
  });

  it('keeps the flags a sender may set and drops the others', () => {
    expect(answer({ content: 'x', flags: 4 | 64 | 4096 })).toEqual({ ok: { content: 'x', flags: 4 | 64 | 4096 } });
    expect(answer({ content: 'x', flags: 1 | 2 | 8 | 16 | 32 | 128 | 32768 })).toEqual({
      ok: { content: 'x', flags: 0 },
    });
    expect(answer({ content: 'x', flags: 2 ** 40 + 4 })).toEqual({ ok: { content: 'x', flags: 4 } });
    expect(answer({ content: 'x', flags: 'x' })).toEqual(
      invalid({ flags: err('NUMBER_TYPE_COERCE', 'Value "x" is not int.') }),
    );
    expect(answer({ content: 'x', flags: -1 })).toEqual(
      invalid({ flags: err('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 0.') }),
    );
  });

  it('refuses a body that is not an object at errors._errors', () => {
    for (const body of [null, 'hello', [], 5]) {
      expect(answer(body)).toEqual(invalid(err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.')));
    }
  });

  it("throws the route's own errors with the rest when given its collector", () => {
    const errors = new FormErrors();
    errors.add(['message_reference', 'message_id'], 'NUMBER_TYPE_COERCE', 'Value "x" is not snowflake.');
    expect(() => validateMessageContent({ content: 'ok' }, { errors })).toThrow(InvalidFormBodyError);
    expect(answer({ content: 'x'.repeat(2001) }, { errors })).toEqual(
      invalid({
        message_reference: { message_id: err('NUMBER_TYPE_COERCE', 'Value "x" is not snowflake.') },
        content: err('BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.'),
      }),
    );
  });
});
