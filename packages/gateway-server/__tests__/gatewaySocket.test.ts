import { describe, expect, it } from 'vitest';
import type { RawData } from 'ws';
import type { LiveConnection } from '../src/session/LiveSession.js';
import { type GatewaySocket, gatewaySocketClass, type SocketEvents } from '../src/transport/gatewaySocketClass.js';

/** A socket of the class, as `ws`'s server makes them (no address: server side), and what reached `events`. */
function socket() {
  const seen: unknown[][] = [];
  const events: SocketEvents = {
    message: (connection, data, isBinary) => seen.push(['message', connection, data, isBinary]),
    closed: (connection, code) => seen.push(['closed', connection, code]),
    socketError: (error) => seen.push(['error', error.message]),
  };
  const Socket = gatewaySocketClass(events) as unknown as new (
    address: null,
    protocols: undefined,
    options: object,
  ) => GatewaySocket;
  return { ws: new Socket(null, undefined, { autoPong: false }), seen };
}

const connection = { id: 'c' } as unknown as LiveConnection;

describe('gatewaySocketClass (transport/gatewaySocketClass.ts)', () => {
  it('sends message, close and error of a connected socket to its events, with no listener per socket', () => {
    const { ws, seen } = socket();
    ws.connection = connection;
    const data = Buffer.from('{}') as RawData;
    expect(ws.emit('message', data, false)).toBe(true);
    expect(ws.emit('error', new Error('bad frame'))).toBe(true);
    expect(ws.emit('close', 4000, Buffer.alloc(0))).toBe(true);
    expect(seen).toEqual([
      ['message', connection, data, false],
      ['error', 'bad frame'],
      ['closed', connection, 4000],
    ]);
    expect(ws.eventNames()).toEqual([]);
  });

  it('still calls listeners added to the socket, after its events, with the same arguments', () => {
    const { ws, seen } = socket();
    ws.connection = connection;
    const heard: unknown[][] = [];
    ws.once('close', (code: number) => heard.push(['close listener', code, seen.length]));
    ws.on('ping', (data: Buffer) => heard.push(['ping', data.toString()]));
    ws.on('error', (error: Error) => heard.push(['error listener', error.message]));
    ws.emit('close', 1001, Buffer.alloc(0));
    ws.emit('ping', Buffer.from('p'));
    ws.emit('error', new Error('e'));
    expect(heard).toEqual([
      ['close listener', 1001, 1],
      ['ping', 'p'],
      ['error listener', 'e'],
    ]);
    expect(seen).toEqual([
      ['closed', connection, 1001],
      ['error', 'e'],
    ]);
  });

  it('emits as a plain ws WebSocket while it has no connection (refused at the upgrade)', () => {
    const { ws, seen } = socket();
    expect(ws.emit('message', Buffer.from('x'), false)).toBe(false);
    expect(() => ws.emit('error', new Error('unheard'))).toThrow('unheard');
    expect(seen).toEqual([]);
  });
});
