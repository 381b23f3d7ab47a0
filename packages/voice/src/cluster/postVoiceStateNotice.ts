import { request } from 'node:http';
import { VoiceClusterError } from './VoiceClusterError.js';

/** The node's route for notices, next to its health endpoint (same listener, same private interface). */
export function voiceStateUrl(healthUrl: string): string {
  return new URL('/voice-state', healthUrl).toString();
}

/**
 * Delivers one signed notice: `POST url` with a deadline, settled by the node's 204. Rejects with `VoiceClusterError`
 * `NOTICE_FAILED` (transport error, timeout, any other answer). No keep-alive agent, as for probes: a notice must
 * not be written into a half-open socket of a node that died.
 */
export function postVoiceStateNotice(
  url: string,
  notice: { body: string; signature: string },
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(notice.body),
          'x-concord-signature': notice.signature,
        },
      },
      (res) => {
        res.resume();
        done(res.statusCode === 204 ? null : new VoiceClusterError('NOTICE_FAILED', `node answered ${res.statusCode}`));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done(new VoiceClusterError('NOTICE_FAILED', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => done(new VoiceClusterError('NOTICE_FAILED', error.message)));
    req.end(notice.body);
  });
}
