import { request } from 'node:http';
import { VoiceClusterError } from './VoiceClusterError.js';
import { decodeVoiceNodeStatus, MAX_STATUS_BYTES, type VoiceNodeStatus } from './VoiceNodeStatus.js';

/**
 * One health probe: `GET url` with a deadline, the body capped at MAX_STATUS_BYTES and decoded. Rejects with
 * `VoiceClusterError` (`PROBE_FAILED` for transport errors, timeouts and non-200 answers, `BAD_STATUS` for bodies that
 * are not a status). No keep-alive agent: a probe must see a dead node as dead, not reuse a half-open socket.
 */
export function probeVoiceNode(url: string, timeoutMs: number): Promise<VoiceNodeStatus> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error: Error | null, status?: VoiceNodeStatus) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(status!);
    };
    const req = request(url, { method: 'GET', agent: false, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        done(new VoiceClusterError('PROBE_FAILED', `health answered ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_STATUS_BYTES) {
          req.destroy();
          done(new VoiceClusterError('BAD_STATUS', 'status too large'));
        } else chunks.push(chunk);
      });
      res.on('end', () => {
        try {
          done(null, decodeVoiceNodeStatus(Buffer.concat(chunks)));
        } catch (error) {
          done(error as Error);
        }
      });
      res.on('error', (error) => done(new VoiceClusterError('PROBE_FAILED', error.message)));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done(new VoiceClusterError('PROBE_FAILED', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => done(new VoiceClusterError('PROBE_FAILED', error.message)));
    req.end();
  });
}
