import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/GatewayServer.js';
import { connect, delay, startServer } from './helpers.js';

let server: GatewayServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GatewayServerEvents', () => {
  it('emits a session lifecycle: opened, identified, closed (resumable) then resumed, then closed for good', async () => {
    server = await startServer();
    const seen: [string, unknown][] = [];
    for (const event of ['sessionOpened', 'sessionIdentified', 'sessionResumed', 'sessionClosed'] as const) {
      server.on(event, (payload: unknown) => void seen.push([event, payload]));
    }
    const first = await connect(server);
    const ready = await first.ready('1');
    const sessionId = ready.d.session_id as string;
    await first.close(4000);
    await delay(50);

    const second = await connect(server);
    second.send({ op: 6, d: { token: 'token-1', session_id: sessionId, seq: ready.s } });
    await second.dispatch('RESUMED');
    await second.close(1000);
    await delay(50);

    expect(seen.map(([event]) => event)).toEqual([
      'sessionOpened',
      'sessionIdentified',
      'sessionClosed',
      'sessionOpened',
      'sessionResumed',
      'sessionClosed',
    ]);
    expect(seen[0]![1]).toMatchObject({ encoding: 'json', compression: 'none' });
    expect(seen[1]![1]).toMatchObject({ sessionId, userId: '1', shard: [0, 1], user: { id: '1' } });
    expect(seen[2]![1]).toMatchObject({ sessionId, code: 4000, resumable: true });
    // Resumed from READY's seq: the GUILD_CREATEs that followed it are replayed.
    expect(seen[4]![1]).toMatchObject({ sessionId, replayed: 2, fromStore: false });
    expect(seen[5]![1]).toMatchObject({ sessionId, code: 1000, resumable: false });
  });

  it('reports a session ended by invalidateSession (op 9) once, with code null, though its connection stays open', async () => {
    server = await startServer();
    const closed: unknown[] = [];
    server.on('sessionClosed', (session) => void closed.push(session));
    const client = await connect(server);
    const ready = await client.ready('1');
    const sessionId = ready.d.session_id as string;

    server.invalidateSession(sessionId, true);
    expect(closed).toEqual([]);
    server.invalidateSession(sessionId, false);
    expect(closed).toEqual([expect.objectContaining({ sessionId, code: null, resumable: false })]);
    expect(server.sessionCount).toBe(0);

    await client.close(1000);
    await delay(50);
    expect(closed).toHaveLength(1);
  });

  it('reports a resumable session again, with code null and resumable false, when it expires unresumed', async () => {
    // heartbeatInterval 400: the sweeper ticks every 50 ms.
    server = await startServer({ resumeTtl: 50, heartbeatInterval: 400 });
    const closed: { code: number | null; resumable: boolean }[] = [];
    server.on('sessionClosed', (session) => void closed.push(session));
    const client = await connect(server);
    await client.ready('1');
    await client.close(4000);
    for (let waited = 0; closed.length < 2 && waited < 3000; waited += 50) await delay(50);
    expect(closed).toEqual([
      expect.objectContaining({ code: 4000, resumable: true }),
      expect.objectContaining({ code: null, resumable: false }),
    ]);
    expect(server.sessionCount).toBe(0);
  });

  it('a throwing listener is reported as `error`, and without an `error` listener nothing throws', async () => {
    server = await startServer();
    const errors: { message: string }[] = [];
    server.on('sessionIdentified', () => {
      throw new Error('listener bug');
    });
    const client = await connect(server);
    await client.ready('1');
    expect(server.sessionCount).toBe(1);
    server.on('error', (_error, context) => void errors.push(context));
    const other = await connect(server);
    await other.ready('2');
    expect(errors).toEqual([{ message: 'event listener failed' }]);
  });
});
