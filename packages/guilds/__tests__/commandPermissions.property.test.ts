import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidFormBodyError, UnknownEntityError } from '../src/index.js';
import type { GuildRecord } from '../src/model/records.js';
import {
  allChannelsId,
  type CommandViewer,
  mayUseCommand,
  readCommandOverwrites,
} from '../src/services/commandPermissions.js';
import { GuildState } from '../src/state/GuildState.js';

/**
 * The permission overwrite decoder against arbitrary bodies (never anything but Discord's refusals, an error answer
 * bounded by the input's size) and the precedence rule's invariants over random overwrite lists.
 */

const parameters = { numRuns: 300, interruptAfterTimeLimit: 8_000 };
const guildId = '100000000000000000';
const roleId = '100000000000000001';
const channelId = '100000000000000002';
const userId = '100000000000000003';

function guildState(): GuildState {
  const state = new GuildState({ id: guildId, name: 'g', owner_id: '1', features: [] } as unknown as GuildRecord);
  state.setRole({ id: roleId, name: 'r', permissions: '0', position: 1 } as never);
  state.setChannel({ id: channelId, type: 0, guild_id: guildId, name: 'c', permission_overwrites: [] } as never);
  return state;
}

const ids = fc.constantFrom(guildId, roleId, channelId, userId, allChannelsId(guildId), '42', 'x', '');
const overwrite = fc.record(
  {
    id: fc.oneof(ids, fc.jsonValue({ maxDepth: 2 })),
    type: fc.oneof(fc.constantFrom(1, 2, 3), fc.integer({ min: -1, max: 5 }), fc.jsonValue({ maxDepth: 2 })),
    permission: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ permissions: fc.oneof(fc.array(overwrite, { maxLength: 105 }), fc.jsonValue({ maxDepth: 2 })) }),
);

describe('readCommandOverwrites', () => {
  it('answers overwrites or a bounded Discord refusal', () => {
    const state = guildState();
    fc.assert(
      fc.property(body, (input) => {
        try {
          const read = readCommandOverwrites(input, state);
          expect(read.length).toBeLessThanOrEqual(100);
          for (const o of read) {
            expect([1, 2, 3]).toContain(o.type);
            expect(typeof o.permission).toBe('boolean');
            expect(o.id).toMatch(/^\d+$/);
          }
        } catch (error) {
          expect(error instanceof InvalidFormBodyError || error instanceof UnknownEntityError).toBe(true);
          if (error instanceof InvalidFormBodyError)
            expect(JSON.stringify(error.body).length).toBeLessThan(400 + 80 * JSON.stringify(input).length);
        }
      }),
      parameters,
    );
  });
});

const validOverwrite = fc.record({
  id: fc.constantFrom(guildId, roleId, channelId, userId, allChannelsId(guildId), '555'),
  type: fc.constantFrom(1 as const, 2 as const, 3 as const),
  permission: fc.boolean(),
});
const list = fc.array(validOverwrite, { maxLength: 8 });
const permissions = fc.bigInt({ min: 0n, max: (1n << 50n) - 1n });
const dmp = fc.oneof(fc.constant(null), fc.constant('0'), fc.constantFrom(String(P.ManageGuild), String(P.BanMembers)));

describe('mayUseCommand', () => {
  const viewer = (perms: bigint, channel: string | null = channelId): CommandViewer => ({
    guildId,
    userId,
    roleIds: [roleId],
    channelId: channel,
    permissions: perms,
  });

  it('administrators always may; without overwrites default_member_permissions decides', () => {
    fc.assert(
      fc.property(list, list, dmp, permissions, (command, app, defaults, perms) => {
        expect(mayUseCommand(defaults, viewer(perms | P.Administrator), command, app)).toBe(true);
        const alone = mayUseCommand(defaults, viewer(perms & ~P.Administrator), [], []);
        const required = defaults === null ? null : BigInt(defaults);
        const expected = required === null ? true : required === 0n ? false : (perms & required) === required;
        expect(alone).toBe(expected);
      }),
      parameters,
    );
  });

  it("the user's own command-level overwrite decides when no channel overwrite refuses", () => {
    fc.assert(
      fc.property(list, list, dmp, permissions, fc.boolean(), (command, app, defaults, perms, allowed) => {
        const noChannels = (l: typeof command) => l.filter((o) => o.type !== 3);
        const own = [
          ...noChannels(command).filter((o) => !(o.type === 2 && o.id === userId)),
          { id: userId, type: 2 as const, permission: allowed },
        ];
        expect(mayUseCommand(defaults, viewer(perms & ~P.Administrator), own, noChannels(app))).toBe(allowed);
      }),
      parameters,
    );
  });

  it('a channel overwrite that refuses wins over every user and role overwrite; the guild-wide view skips it', () => {
    fc.assert(
      fc.property(list, dmp, permissions, (app, defaults, perms) => {
        const command = [
          { id: channelId, type: 3 as const, permission: false },
          { id: userId, type: 2 as const, permission: true },
        ];
        expect(mayUseCommand(defaults, viewer(perms & ~P.Administrator), command, app)).toBe(false);
        const guildWide = mayUseCommand(defaults, viewer(perms & ~P.Administrator, null), command, app);
        expect(guildWide).toBe(true);
      }),
      parameters,
    );
  });
});
