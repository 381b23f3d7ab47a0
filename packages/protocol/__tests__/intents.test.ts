import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_INTENTS,
  GatewayIntentBits,
  hasIntent,
  IntentsError,
  intentNames,
  PRIVILEGED_INTENTS,
  ProtocolError,
  resolveIntents,
  validateIntents,
} from '../src/index.js';

const PROTOCOL_BITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 24, 25];

describe('intents', () => {
  it('ALL_INTENTS is exactly the docs/protocol.md bit list', () => {
    expect(ALL_INTENTS).toBe(PROTOCOL_BITS.reduce((all, bit) => all | (1 << bit), 0));
    expect(intentNames(ALL_INTENTS)).toHaveLength(PROTOCOL_BITS.length);
  });

  it('privileged = GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT', () => {
    expect(PRIVILEGED_INTENTS).toBe((1 << 1) | (1 << 8) | (1 << 15));
    expect(intentNames(PRIVILEGED_INTENTS)).toEqual(['GuildMembers', 'GuildPresences', 'MessageContent']);
  });

  it('accepts every subset of the known bits', () => {
    fc.assert(
      fc.property(fc.subarray(PROTOCOL_BITS), (bits) => {
        const value = bits.reduce((all, bit) => all | (1 << bit), 0);
        expect(validateIntents(value)).toBe(value);
      }),
    );
  });

  it('rejects unknown bits with 4013', () => {
    for (const bit of [17, 18, 19, 22, 23, 26, 30, 31]) {
      const error = (() => {
        try {
          validateIntents(GatewayIntentBits.Guilds | (2 ** bit));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(IntentsError);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ code: 'INVALID_INTENTS', closeCode: 4013 });
    }
    expect(() => validateIntents(2 ** 40)).toThrow(IntentsError);
  });

  it('rejects anything that is not a non-negative integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.double(), fc.integer({ max: -1 }), fc.constant(null), fc.object(), fc.bigInt()),
        (value) => {
          fc.pre(!(typeof value === 'number' && Number.isInteger(value) && value >= 0));
          expect(() => validateIntents(value)).toThrow(IntentsError);
        },
      ),
    );
  });

  it('refuses privileged intents that were not granted, with 4014', () => {
    const asked = GatewayIntentBits.Guilds | GatewayIntentBits.MessageContent;
    expect(() => validateIntents(asked, { granted: 0 })).toThrow(expect.objectContaining({ closeCode: 4014 }));
    expect(validateIntents(asked, { granted: GatewayIntentBits.MessageContent })).toBe(asked);
  });

  it('resolves names and checks membership', () => {
    const bits = resolveIntents(['Guilds', 'GuildMessages', GatewayIntentBits.MessageContent]);
    expect(hasIntent(bits, GatewayIntentBits.GuildMessages)).toBe(true);
    expect(hasIntent(bits, GatewayIntentBits.GuildPresences)).toBe(false);
    expect(() => resolveIntents(['Nope' as 'Guilds'])).toThrow(IntentsError);
  });
});
