/**
 * The baseline of bench/assembled.ts, forked as its own process: the obvious ~40-line `ws` gateway. Hello, Identify →
 * READY and GUILD_CREATE, heartbeat ACKs, and `POST /api/v10/channels/:id/messages` → MESSAGE_CREATE. It sends the
 * same objects the assembled server sends (the bench hands them over: `template`): READY with the session's own user
 * and session id, the guild's GUILD_CREATE with the session's own member, the message with the post's content and
 * nonce, each `JSON.stringify`d per session with that session's `s` and sent with `ws.send`. Without the READY and
 * GUILD_CREATE templates (ASSEMBLED_NAIVE_IDENTIFY=minimal) Identify answers a bare READY, as the first version of
 * this bench did. No auth, no storage, no permissions: what is left is the transport.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

interface Client {
  ws: WebSocket;
  seq: number;
}

type Json = Record<string, unknown>;
let template: Json = {};
let ready: Json | undefined;
let guildCreate: Json | undefined;
let nextId = 1_500_000_000_000_000_000n;
const clients = new Set<Client>();
const write = (c: Client, payload: Json) => c.ws.send(JSON.stringify(payload));
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
      const user = { ...(ready?.user as Json), id: String(nextId++), username: p.d.token };
      const d = ready ? { ...ready, user, session_id: String(nextId++) } : { v: 10, user, guilds: [], session_id: '1' };
      write(c, { op: 0, t: 'READY', d, s: ++c.seq });
      const member = (guildCreate?.members as Json[] | undefined)?.[0];
      if (guildCreate)
        write(c, { op: 0, t: 'GUILD_CREATE', d: { ...guildCreate, members: [{ ...member, user }] }, s: ++c.seq });
    } else if (p.op === 1) write(c, { op: 11, d: null });
  });
  ws.on('close', () => clients.delete(c));
  write(c, { op: 10, d: { heartbeat_interval: 41250 } });
});

process.on('message', (m: { type: string; template?: Json; ready?: Json; guildCreate?: Json }) => {
  if (m.type === 'template') {
    template = m.template ?? {};
    ready = m.ready;
    guildCreate = m.guildCreate;
    process.send?.({ type: 'template' });
  } else if (m.type === 'stop') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
http.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'alive' });
  process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
});
