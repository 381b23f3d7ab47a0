import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VoiceStateNotice } from '../server/VoiceGatewayContract.js';
import { MAX_NOTICE_BYTES, verifyVoiceStateNotice } from './voiceStateNotice.js';

/**
 * A voice node's `POST /voice-state` handler: takes allocator-signed notices (voiceStateNotice.ts) and hands each to
 * `apply` (the node's `VoiceServer.voiceStateChanged`). 204 when taken (or older than one already applied for the
 * user: notices may overtake each other on separate connections), 401 when not signed with the shared secret, not
 * JSON or stale, 413 past MAX_NOTICE_BYTES (the body is not read further).
 */
export function voiceStateRoute(
  secret: string | Uint8Array,
  apply: (state: VoiceStateNotice) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  // Newest notice applied per guild and user; a user's entry goes when they leave voice.
  const newest = new Map<string, number>();
  return (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared <= MAX_NOTICE_BYTES)) {
      res.writeHead(413, { connection: 'close' }).end();
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_NOTICE_BYTES) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_NOTICE_BYTES) return;
      let notice: ReturnType<typeof verifyVoiceStateNotice>;
      try {
        notice = verifyVoiceStateNotice(
          secret,
          Buffer.concat(chunks).toString('utf8'),
          req.headers['x-concord-signature'],
        );
      } catch {
        res.writeHead(401).end();
        return;
      }
      const { state, sentAt } = notice;
      const key = `${state.guildId}:${state.userId}`;
      if (sentAt >= (newest.get(key) ?? 0)) {
        if (state.channelId === null) newest.delete(key);
        else newest.set(key, sentAt);
        apply(state);
      }
      res.writeHead(204).end();
    });
    req.on('error', () => res.destroy());
  };
}
