/**
 * The baseline: the obvious `ws` broadcast server — every recipient gets its own JSON.stringify of the whole
 * payload (its own `s`), then its own zlib-stream compression. Speaks just enough of the gateway for the bench.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createZlibStreamDeflater, type StreamDeflater } from '@concord/protocol/compression';
import { type WebSocket, WebSocketServer } from 'ws';

interface Client {
  ws: WebSocket;
  seq: number;
  deflater: StreamDeflater | null;
}

export interface NaiveServer {
  url: string;
  broadcast(event: string, data: unknown): void;
  close(): Promise<void>;
}

export async function startNaiveServer(): Promise<NaiveServer> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const clients = new Set<Client>();
  const write = (c: Client, payload: unknown) => {
    const text = JSON.stringify(payload);
    if (c.deflater) c.ws.send(c.deflater.compress(text));
    else c.ws.send(text);
  };
  wss.on('connection', (ws, req) => {
    const c: Client = { ws, seq: 0, deflater: req.url?.includes('zlib-stream') ? createZlibStreamDeflater() : null };
    ws.on('message', (raw) => {
      const p = JSON.parse(String(raw));
      if (p.op === 2) {
        clients.add(c);
        write(c, { op: 0, t: 'READY', s: ++c.seq, d: { session_id: String(Math.random()), user: { id: '1' } } });
      } else if (p.op === 1) write(c, { op: 11, d: null, s: null, t: null });
    });
    ws.on('close', () => {
      clients.delete(c);
      c.deflater?.close();
    });
    write(c, { op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    broadcast(event, data) {
      for (const c of clients) write(c, { op: 0, t: event, d: data, s: ++c.seq });
    },
    async close() {
      for (const c of clients) c.ws.terminate();
      wss.close();
      await new Promise((r) => http.close(r));
    },
  };
}
