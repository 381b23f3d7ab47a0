/**
 * The baseline of bench/assembled.ts, forked as its own process: the obvious ~40-line `ws` gateway. Hello, Identify →
 * READY, heartbeat ACKs, and `POST /api/v10/channels/:id/messages` → the same MESSAGE_CREATE object the assembled server
 * sends (the bench hands it over: `template`), with the post's content and nonce, `JSON.stringify`d per session with
 * that session's `s` and sent with `ws.send`. No auth, no storage, no permissions: what is left is the transport.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

interface Client {
  ws: WebSocket;
  seq: number;
}

let template: Record<string, unknown> = {};
let nextId = 1_500_000_000_000_000_000n;
const clients = new Set<Client>();
const write = (c: Client, payload: Record<string, unknown>) => c.ws.send(JSON.stringify(payload));
const http = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    const { content, nonce } = JSON.parse(body || '{}');
    const d = { ...template, id: String(nextId++), content, nonce, timestamp: new Date().toISOString() };
    for (const c of clients) write(c, { op: 0, t: 'MESSAGE_CREATE', d, s: ++c.seq });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(d));
  });
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (ws) => {
  const c: Client = { ws, seq: 0 };
  ws.on('message', (raw) => {
    const p = JSON.parse(String(raw));
    if (p.op === 2) {
      clients.add(c);
      const d = { v: 10, user: { id: String(nextId++), username: p.d.token }, guilds: [], session_id: String(nextId) };
      write(c, { op: 0, t: 'READY', d, s: ++c.seq });
    } else if (p.op === 1) write(c, { op: 11, d: null });
  });
  ws.on('close', () => clients.delete(c));
  write(c, { op: 10, d: { heartbeat_interval: 41250 } });
});

process.on('message', (m: { type: string; template?: Record<string, unknown> }) => {
  if (m.type === 'template') {
    template = m.template ?? {};
    process.send?.({ type: 'template' });
  } else if (m.type === 'stop') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
http.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'alive' });
  process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
});
