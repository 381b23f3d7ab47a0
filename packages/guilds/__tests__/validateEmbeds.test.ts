import { describe, expect, it } from 'vitest';
import { FormErrors, validateEmbeds } from '../src/index.js';

/** The 50035 body `validateEmbeds` leads to for `embeds`, or the embeds when it found nothing. */
function check(embeds: unknown) {
  const errors = new FormErrors();
  const result = validateEmbeds(embeds, errors);
  return errors.isEmpty ? { ok: result } : { body: errors.toJSON() };
}

const err = (code: string, message: string) => ({ _errors: [{ code, message }] });
const body = (errors: object) => ({ body: { code: 50035, message: 'Invalid Form Body', errors } });

describe('validateEmbeds', () => {
  it('accepts a full valid embed and rebuilds it from the fields Discord keeps, texts trimmed', () => {
    const embed = {
      title: '  Release 1.2  ',
      description: 'Notes',
      url: 'https://example.com/release',
      timestamp: '2024-05-01T12:00:00.000Z',
      color: 0xffffff,
      footer: { text: 'footer', icon_url: 'attachment://icon.png' },
      image: { url: 'https://cdn.example.com/a.png', width: 10 },
      thumbnail: { url: 'attachment://thumb.png' },
      author: { name: 'bot', url: 'http://example.com', icon_url: 'https://example.com/i.png' },
      fields: [
        { name: 'a', value: 'b', inline: true },
        { name: 'c', value: 'd' },
      ],
      provider: { name: 'ignored' },
      junk: 1,
    };
    expect(check([embed])).toEqual({
      ok: [
        {
          title: 'Release 1.2',
          description: 'Notes',
          url: 'https://example.com/release',
          timestamp: '2024-05-01T12:00:00.000Z',
          color: 0xffffff,
          footer: { text: 'footer', icon_url: 'attachment://icon.png' },
          image: { url: 'https://cdn.example.com/a.png' },
          thumbnail: { url: 'attachment://thumb.png' },
          author: { name: 'bot', url: 'http://example.com', icon_url: 'https://example.com/i.png' },
          fields: [
            { name: 'a', value: 'b', inline: true },
            { name: 'c', value: 'd' },
          ],
        },
      ],
    });
    expect(check(undefined)).toEqual({ ok: undefined });
    expect(check(null)).toEqual({ ok: undefined });
    expect(check([])).toEqual({ ok: [] });
  });

  it('refuses more than 10 embeds at embeds, without looking at them', () => {
    expect(check(Array.from({ length: 11 }, () => ({ title: 5 })))).toEqual(
      body({ embeds: err('BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.') }),
    );
  });

  it('reports every length limit at its path (a bot pasting a log into an embed)', () => {
    const embed = {
      title: 't'.repeat(257),
      description: 'd'.repeat(4097),
      footer: { text: 'f'.repeat(2049) },
      author: { name: 'a'.repeat(257) },
      fields: [
        { name: 'ok', value: 'ok' },
        { name: 'n'.repeat(257), value: 'v'.repeat(1025) },
      ],
    };
    expect(check([{ title: 'fine' }, embed])).toEqual(
      body({
        embeds: {
          '1': {
            title: err('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.'),
            description: err('BASE_TYPE_MAX_LENGTH', 'Must be 4096 or fewer in length.'),
            footer: { text: err('BASE_TYPE_MAX_LENGTH', 'Must be 2048 or fewer in length.') },
            author: { name: err('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.') },
            fields: {
              '1': {
                name: err('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.'),
                value: err('BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.'),
              },
            },
          },
        },
      }),
    );
  });

  it('measures after trimming and in code points', () => {
    expect(check([{ title: `  ${'t'.repeat(256)}\n` }])).toEqual({ ok: [{ title: 't'.repeat(256) }] });
    // 256 emoji are 512 UTF-16 units but 256 characters.
    expect(check([{ title: '😀'.repeat(256) }])).toEqual({ ok: [{ title: '😀'.repeat(256) }] });
    expect(check([{ title: '😀'.repeat(257) }])).toEqual(
      body({ embeds: { '0': { title: err('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.') } } }),
    );
  });

  it('trims every text before measuring it', () => {
    const pad = (text: string) => ` \n${text}\t `;
    // Two messages: all six texts at their limits would pass the 6000 total.
    const first = {
      title: pad('t'.repeat(256)),
      description: pad('d'.repeat(4096)),
      fields: [{ name: pad('n'.repeat(256)), value: pad('v'.repeat(1024)) }],
    };
    expect(check([first])).toEqual({
      ok: [
        {
          title: 't'.repeat(256),
          description: 'd'.repeat(4096),
          fields: [{ name: 'n'.repeat(256), value: 'v'.repeat(1024) }],
        },
      ],
    });
    const second = { footer: { text: pad('f'.repeat(2048)) }, author: { name: pad('a'.repeat(256)) } };
    expect(check([second])).toEqual({
      ok: [{ footer: { text: 'f'.repeat(2048) }, author: { name: 'a'.repeat(256) } }],
    });
  });

  it('refuses more than 25 fields at fields', () => {
    const fields = Array.from({ length: 26 }, () => ({ name: 'a', value: 'b' }));
    expect(check([{ fields }])).toEqual(
      body({ embeds: { '0': { fields: err('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.') } } }),
    );
  });

  it('requires field name and value, footer text and author name, image and thumbnail url', () => {
    const required = err('BASE_TYPE_REQUIRED', 'This field is required');
    expect(
      check([
        {
          fields: [{ name: 'a' }, { value: 'b' }, { name: '   ', value: '' }, null],
          footer: {},
          author: { name: null },
          image: {},
          thumbnail: { url: null },
        },
      ]),
    ).toEqual(
      body({
        embeds: {
          '0': {
            fields: {
              '0': { value: required },
              '1': { name: required },
              '2': { name: required, value: required },
              '3': required,
            },
            footer: { text: required },
            author: { name: required },
            image: { url: required },
            thumbnail: { url: required },
          },
        },
      }),
    );
  });

  it('refuses ill-formed URLs, and attachment:// where Discord takes only http(s)', () => {
    const invalid = err('URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    expect(
      check([
        {
          url: 'attachment://a.png',
          author: { name: 'a', url: 'ftp://example.com', icon_url: 'https://exa mple.com/x.png' },
          footer: { text: 'f', icon_url: 'https://' },
          image: { url: 'javascript:alert(1)' },
          thumbnail: { url: '/relative.png' },
        },
      ]),
    ).toEqual(
      body({
        embeds: {
          '0': {
            url: invalid,
            author: { url: invalid, icon_url: invalid },
            footer: { icon_url: invalid },
            image: { url: invalid },
            thumbnail: { url: invalid },
          },
        },
      }),
    );
  });

  it('checks color as an integer in 0..0xFFFFFF and timestamp as ISO 8601', () => {
    const at = (embed: object) => check([embed]);
    expect(at({ color: 0x1000000 })).toEqual(
      body({
        embeds: { '0': { color: err('NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.') } },
      }),
    );
    expect(at({ color: -1 })).toEqual(
      body({ embeds: { '0': { color: err('NUMBER_TYPE_MIN', 'int value should be greater than or equal to 0.') } } }),
    );
    expect(at({ color: '#ff0000' })).toEqual(
      body({ embeds: { '0': { color: err('NUMBER_TYPE_COERCE', 'Value "#ff0000" is not int.') } } }),
    );
    expect(at({ color: 1.5 })).toEqual(
      body({ embeds: { '0': { color: err('NUMBER_TYPE_COERCE', 'Value "1.5" is not int.') } } }),
    );
    expect(at({ timestamp: 'yesterday' })).toEqual(
      body({
        embeds: { '0': { timestamp: err('DATE_TIME_TYPE_PARSE', 'Could not parse yesterday. Should be ISO8601.') } },
      }),
    );
    for (const timestamp of ['2024-05-01', '2024-05-01T12:00', '2024-05-01T12:00:00+02:00', '2024-05-01 12:00:00.5Z']) {
      expect(at({ timestamp })).toEqual({ ok: [{ timestamp }] });
    }
  });

  it("reports wrong types with Discord's type errors", () => {
    expect(check({ title: 'not a list' })).toEqual(body({ embeds: err('BASE_TYPE_BAD_TYPE', 'Must be an array.') }));
    expect(check(['x', [], { title: 5, footer: 'f', fields: {}, author: [], image: 1 }])).toEqual(
      body({
        embeds: {
          '0': err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.'),
          '1': err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.'),
          '2': {
            title: err('BASE_TYPE_BAD_TYPE', 'Must be a string.'),
            footer: err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.'),
            fields: err('BASE_TYPE_BAD_TYPE', 'Must be an array.'),
            author: err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.'),
            image: err('MODEL_TYPE_CONVERT', 'Expected an object/dictionary.'),
          },
        },
      }),
    );
    expect(check([{ fields: [{ name: 'a', value: 'b', inline: 'yes' }] }])).toEqual(
      body({ embeds: { '0': { fields: { '0': { inline: err('BASE_TYPE_BAD_TYPE', 'Must be a boolean.') } } } } }),
    );
  });

  it('sums title, description, field texts, footer text and author name across all embeds: 6000', () => {
    // Each embed alone is within its limits; together they pass 6000 by one.
    const embed = (description: string) => ({
      title: 't'.repeat(100),
      description,
      fields: [{ name: 'n'.repeat(50), value: 'v'.repeat(50) }],
      footer: { text: 'f'.repeat(50) },
      author: { name: 'a'.repeat(50) },
    });
    const each = 100 + 50 + 50 + 50 + 50;
    const atLimit = [embed('d'.repeat(3000 - each)), embed('d'.repeat(3000 - each))];
    expect(check(atLimit)).toHaveProperty('ok');
    const over = [embed('d'.repeat(3000 - each)), embed('d'.repeat(3001 - each))];
    expect(check(over)).toEqual(
      body({ embeds: err('MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000') }),
    );
    // Characters, not UTF-16 units: 6000 emoji are 12000 units.
    expect(check([{ description: '😀'.repeat(3000) }, { description: '😀'.repeat(3000) }])).toHaveProperty('ok');
    expect(check([{ description: '😀'.repeat(3000) }, { description: '😀'.repeat(3001) }])).toEqual(
      body({ embeds: err('MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000') }),
    );
    // URLs and other fields do not count.
    const withUrl = { ...embed('d'.repeat(3000 - each)), url: `https://example.com/${'x'.repeat(5000)}` };
    expect(check([atLimit[0], withUrl])).toHaveProperty('ok');
  });

  it('adds under the path it is given', () => {
    const errors = new FormErrors();
    validateEmbeds([{ title: 1 }], errors, ['data', 'embeds']);
    expect(errors.toJSON().errors).toEqual({
      data: { embeds: { '0': { title: err('BASE_TYPE_BAD_TYPE', 'Must be a string.') } } },
    });
  });
});
