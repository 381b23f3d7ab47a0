import type { GatewayDispatchEvents, GatewayDispatchPayload } from '@concord/protocol';
import type { GatewayReadyDispatchData } from '@concord/protocol/payloads';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  CloseInfo,
  ConnectionStatus,
  DispatchPayload,
  GatewayConnection,
  GatewayConnectionEvents,
  SessionInfo,
  ShardManager,
  ShardManagerEvents,
} from '../../src/index.js';

/** The `d` of one dispatch, straight from discord-api-types (through @concord/protocol). */
type DataOf<T extends `${GatewayDispatchEvents}`> = Extract<GatewayDispatchPayload, { t: `${T}` }>['d'];
type MessageCreateData = DataOf<'MESSAGE_CREATE'>;
type GuildCreateData = DataOf<'GUILD_CREATE'>;

declare const connection: GatewayConnection;
declare const manager: ShardManager;

describe('GatewayConnectionEvents', () => {
  it('pins the lifecycle events', () => {
    expectTypeOf<GatewayConnectionEvents['dispatch']>().toEqualTypeOf<[payload: DispatchPayload]>();
    expectTypeOf<GatewayConnectionEvents['ready']>().toEqualTypeOf<[data: GatewayReadyDispatchData]>();
    expectTypeOf<GatewayConnectionEvents['resumed']>().toEqualTypeOf<[]>();
    expectTypeOf<GatewayConnectionEvents['closed']>().toEqualTypeOf<[info: CloseInfo]>();
    expectTypeOf<GatewayConnectionEvents['error']>().toEqualTypeOf<[error: Error]>();
    expectTypeOf<GatewayConnectionEvents['debug']>().toEqualTypeOf<[message: string]>();
    expectTypeOf<GatewayConnectionEvents['status']>().toEqualTypeOf<[status: ConnectionStatus]>();
    expectTypeOf<GatewayConnectionEvents['session']>().toEqualTypeOf<[info: SessionInfo | null]>();
    expectTypeOf<GatewayConnectionEvents['heartbeat']>().toEqualTypeOf<[latency: number]>();
  });

  it('types every dispatch by name with its discord-api-types data and envelope', () => {
    expectTypeOf<GatewayConnectionEvents['MESSAGE_CREATE']>().toEqualTypeOf<
      [data: MessageCreateData, payload: DispatchPayload<MessageCreateData>]
    >();
    expectTypeOf<GatewayConnectionEvents['GUILD_CREATE'][0]>().toEqualTypeOf<GuildCreateData>();
    // Every dispatch discord-api-types knows has an event of that name.
    expectTypeOf<`${GatewayDispatchPayload['t']}`>().toExtend<keyof GatewayConnectionEvents>();
    connection.on('MESSAGE_CREATE', (data, payload) => {
      expectTypeOf(data).toEqualTypeOf<MessageCreateData>();
      expectTypeOf(data.content).toBeString();
      expectTypeOf(payload.s).toBeNumber();
    });
  });

  it('rejects an unknown event name and a listener of the wrong shape', () => {
    // @ts-expect-error a typo'd dispatch name is no event
    connection.on('MESSAGE_CREAT', () => {});
    // @ts-expect-error a typo'd lifecycle event is no event
    connection.on('readdy', () => {});
    // @ts-expect-error MESSAGE_CREATE data is no number
    connection.on('MESSAGE_CREATE', (_data: number) => {});
    // @ts-expect-error resumed has no argument
    connection.on('resumed', (_x: string) => {});
    // @ts-expect-error heartbeat carries a number
    connection.emit('heartbeat', 'slow');
  });
});

describe('ShardManagerEvents', () => {
  it('are the connection events with the shard id last', () => {
    expectTypeOf<ShardManagerEvents['dispatch']>().toEqualTypeOf<[payload: DispatchPayload, shardId: number]>();
    expectTypeOf<ShardManagerEvents['ready']>().toEqualTypeOf<[data: GatewayReadyDispatchData, shardId: number]>();
    expectTypeOf<ShardManagerEvents['MESSAGE_CREATE']>().toEqualTypeOf<[data: MessageCreateData, shardId: number]>();
    expectTypeOf<ShardManagerEvents['allReady']>().toEqualTypeOf<[]>();
    manager.on('GUILD_CREATE', (data, shardId) => {
      expectTypeOf(data).toEqualTypeOf<GuildCreateData>();
      expectTypeOf(shardId).toBeNumber();
    });
  });

  it('rejects an unknown event name', () => {
    // @ts-expect-error a typo'd dispatch name is no event
    manager.on('GUILD_CRATE', () => {});
  });
});
