import { describe, expectTypeOf, it } from 'vitest';
import type { GatewayServer, GatewayServerEvents, SessionInfo, UserData } from '../../src/index.js';

/** How an emitter typed by the map reads a listener (`on<E>(event: E, listener: Listener<E>)`). */
type Listener<E extends keyof GatewayServerEvents> = (...args: GatewayServerEvents[E]) => void;
declare function on<E extends keyof GatewayServerEvents>(event: E, listener: Listener<E>): void;

describe('GatewayServerEvents', () => {
  it('names exactly the events the server emits', () => {
    expectTypeOf<keyof GatewayServerEvents>().toEqualTypeOf<
      'sessionOpened' | 'sessionIdentified' | 'sessionResumed' | 'sessionClosed' | 'backpressure' | 'error'
    >();
  });

  it('gives each listener its payload', () => {
    expectTypeOf<GatewayServerEvents['sessionOpened'][0]>().toEqualTypeOf<{
      remoteAddress: string;
      encoding: 'json' | 'etf' | 'msgpack';
      compression: 'none' | 'zlib-stream' | 'zstd-stream' | 'payload';
    }>();
    expectTypeOf<GatewayServerEvents['sessionIdentified']>().toEqualTypeOf<
      [session: SessionInfo & { user: UserData }]
    >();
    expectTypeOf<GatewayServerEvents['sessionResumed'][0]>().toEqualTypeOf<
      SessionInfo & { replayed: number; fromStore: boolean }
    >();
    expectTypeOf<GatewayServerEvents['sessionClosed'][0]>().toEqualTypeOf<
      SessionInfo & { code: number | null; resumable: boolean }
    >();
    expectTypeOf<GatewayServerEvents['backpressure'][0]>().toEqualTypeOf<{
      session: SessionInfo | null;
      bufferedBytes: number;
    }>();
    expectTypeOf<GatewayServerEvents['error']>().toEqualTypeOf<
      [error: unknown, context: { message: string; sessionId?: string }]
    >();
  });

  it('types listeners through the map', () => {
    on('sessionIdentified', (session) => {
      expectTypeOf(session.sessionId).toEqualTypeOf<string>();
      expectTypeOf(session.user).toEqualTypeOf<UserData>();
      expectTypeOf(session.shard).toEqualTypeOf<[number, number]>();
    });
    on('sessionClosed', (session) => expectTypeOf(session.resumable).toEqualTypeOf<boolean>());
    on('error', (error, context) => {
      expectTypeOf(error).toEqualTypeOf<unknown>();
      expectTypeOf(context.message).toEqualTypeOf<string>();
    });
    // @ts-expect-error: no such event
    on('sessionIdentifed', () => undefined);
    // @ts-expect-error: sessionResumed's payload has no `user`
    on('sessionResumed', (session: SessionInfo & { user: UserData }) => session);
  });

  it('types the listeners of GatewayServer itself', () => {
    const gateway = {} as GatewayServer;
    gateway.on('sessionIdentified', (session) => expectTypeOf(session.user).toEqualTypeOf<UserData>());
    gateway.once('sessionResumed', (session) => expectTypeOf(session.fromStore).toEqualTypeOf<boolean>());
    gateway.on('backpressure', (event) => expectTypeOf(event.bufferedBytes).toEqualTypeOf<number>());
    gateway.on('error', (error, context) => {
      expectTypeOf(error).toEqualTypeOf<unknown>();
      expectTypeOf(context.message).toEqualTypeOf<string>();
    });
    // @ts-expect-error: no such event
    gateway.on('sessionIdentifed', (session: SessionInfo) => session);
    // @ts-expect-error: sessionClosed's payload has no `user`
    gateway.on('sessionClosed', (session: SessionInfo & { user: UserData }) => session);
  });
});
