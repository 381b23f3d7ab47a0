import type {
  GatewayGuildMemberAddDispatchData,
  GatewayMessageCreateDispatchData,
  GatewayMessageDeleteDispatchData,
  GatewayPresenceUpdateDispatchData,
  GatewayTypingStartDispatchData,
  GatewayVoiceStateUpdateDispatchData,
} from 'discord-api-types/v10';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  GatewayDispatchEvent,
  GatewayDispatchMap,
  GatewayServer,
  GatewayServerDispatch,
} from '../../src/index.js';
import type { MemberListUpdateData } from '../../src/members/index.js';

declare const server: GatewayServerDispatch;
declare const message: GatewayMessageCreateDispatchData;
declare const presence: GatewayPresenceUpdateDispatchData;

describe('GatewayDispatchMap', () => {
  it('maps Discord event names to their discord-api-types payloads', () => {
    expectTypeOf<GatewayDispatchMap['MESSAGE_CREATE']>().toEqualTypeOf<GatewayMessageCreateDispatchData>();
    expectTypeOf<GatewayDispatchMap['MESSAGE_DELETE']>().toEqualTypeOf<GatewayMessageDeleteDispatchData>();
    expectTypeOf<GatewayDispatchMap['TYPING_START']>().toEqualTypeOf<GatewayTypingStartDispatchData>();
    expectTypeOf<GatewayDispatchMap['GUILD_MEMBER_ADD']>().toEqualTypeOf<GatewayGuildMemberAddDispatchData>();
    expectTypeOf<GatewayDispatchMap['PRESENCE_UPDATE']>().toEqualTypeOf<GatewayPresenceUpdateDispatchData>();
    expectTypeOf<GatewayDispatchMap['VOICE_STATE_UPDATE']>().toEqualTypeOf<GatewayVoiceStateUpdateDispatchData>();
  });

  it('adds the events Concord sends that discord-api-types lacks', () => {
    expectTypeOf<GatewayDispatchMap['GUILD_MEMBER_LIST_UPDATE']>().toEqualTypeOf<MemberListUpdateData>();
  });

  it('has plain string event names, not the library enum', () => {
    expectTypeOf<'MESSAGE_CREATE'>().toExtend<GatewayDispatchEvent>();
    expectTypeOf<'GUILD_MEMBER_LIST_UPDATE'>().toExtend<GatewayDispatchEvent>();
    expectTypeOf<'MESAGE_CREATE'>().not.toExtend<GatewayDispatchEvent>();
  });
});

describe('typed dispatch methods', () => {
  it('accept an event with its payload', () => {
    server.dispatchToGuild('1', 'MESSAGE_CREATE', message);
    server.dispatchToChannel('1', '2', 'MESSAGE_CREATE', message, { intent: null });
    server.dispatchToUsers(['3'], 'MESSAGE_CREATE', message, { guildId: '1' });
    server.dispatchToSession('abc', 'PRESENCE_UPDATE', presence);
    server.dispatch('MESSAGE_CREATE', message, { type: 'guild', guildId: '1' });
  });

  it('reject a misspelt event name', () => {
    // @ts-expect-error: no such event
    server.dispatchToGuild('1', 'MESAGE_CREATE', message);
    // @ts-expect-error: no such event
    server.dispatchToChannel('1', '2', 'message_create', message);
    // @ts-expect-error: no such event
    server.dispatchToUsers('3', 'MESSAGE_CREATED', message);
    // @ts-expect-error: no such event
    server.dispatchToSession('abc', 'PRESENCE', presence);
    // @ts-expect-error: no such event
    server.dispatch('GUILD_CRATE', message, { type: 'guild', guildId: '1' });
  });

  it('reject a payload of another event', () => {
    // @ts-expect-error: a presence is no message
    server.dispatchToGuild('1', 'MESSAGE_CREATE', presence);
    // @ts-expect-error: a message is no presence
    server.dispatchToChannel('1', '2', 'PRESENCE_UPDATE', message);
    // @ts-expect-error: MESSAGE_DELETE needs id and channel_id
    server.dispatchToUsers('3', 'MESSAGE_DELETE', { id: '5' });
    // @ts-expect-error: TYPING_START's user_id is a string
    server.dispatchToSession('abc', 'TYPING_START', { channel_id: '2', user_id: 3, timestamp: 0 });
    // @ts-expect-error: a partial message is not a MESSAGE_CREATE
    server.dispatch('MESSAGE_CREATE', { id: '5', content: 'hi' }, { type: 'guild', guildId: '1' });
  });

  it('reads the payload type off the event name', () => {
    expectTypeOf(server.dispatchToGuild<'TYPING_START'>)
      .parameter(2)
      .toEqualTypeOf<GatewayTypingStartDispatchData>();
    expectTypeOf(server.dispatch<'MESSAGE_CREATE'>)
      .parameter(1)
      .toEqualTypeOf<GatewayMessageCreateDispatchData>();
  });

  it('leave an explicit untyped escape hatch for anything else', () => {
    server.dispatchRaw('MADE_UP_EVENT', { anything: [1, 'two'] }, { type: 'session', sessionId: 'abc' });
    expectTypeOf(server.dispatchRaw).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(server.dispatchRaw).parameter(1).toEqualTypeOf<unknown>();
  });

  it('are what GatewayServer itself implements', () => {
    expectTypeOf<GatewayServer>().toExtend<GatewayServerDispatch>();
    const gateway = {} as GatewayServer;
    gateway.dispatchToChannel('1', '2', 'MESSAGE_CREATE', message);
    // @ts-expect-error: no such event
    gateway.dispatchToGuild('1', 'MESAGE_CREATE', message);
    // @ts-expect-error: a presence is no message
    gateway.dispatchToUsers('3', 'MESSAGE_CREATE', presence);
    gateway.dispatchRaw('MADE_UP_EVENT', { n: 1 }, { type: 'guild', guildId: '1' }, { intent: null });
  });
});
