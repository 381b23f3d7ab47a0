import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { OPUS_FRAME_SAMPLES } from '../src/opus/opus.js';

/** 20 ms frames of a stereo s16le sine. */
export function toneFrames(frequency: number, frames: number, amplitude = 0.5): Buffer[] {
  const out: Buffer[] = [];
  let n = 0;
  for (let f = 0; f < frames; f++) {
    const frame = Buffer.alloc(OPUS_FRAME_SAMPLES * 4);
    for (let i = 0; i < OPUS_FRAME_SAMPLES; i++, n++) {
      const v = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * n) / 48_000));
      frame.writeInt16LE(v, i * 4);
      frame.writeInt16LE(v, i * 4 + 2);
    }
    out.push(frame);
  }
  return out;
}

/** Goertzel power of one frequency in the left channel of interleaved stereo s16le PCM. */
export function goertzel(pcm: Buffer, frequency: number, sampleRate = 48_000): number {
  const samples = pcm.length / 4;
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples; i++) {
    const s0 = pcm.readInt16LE(i * 4) / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / samples;
}

export function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

export interface GatewayMessage {
  op: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary payload fields
  d: any;
  seq?: number;
}

/** A raw voice gateway connection for protocol tests. */
export class RawVoiceSocket {
  public readonly messages: GatewayMessage[] = [];
  public closeCode: number | null = null;
  private cursor = 0;

  private constructor(public readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  public static async open(url: string, options: { ca?: Buffer | string } = {}): Promise<RawVoiceSocket> {
    const ws = new WebSocket(url, options);
    const socket = new RawVoiceSocket(ws);
    await once(ws, 'open');
    return socket;
  }

  public send(op: number, d: unknown): void {
    this.ws.send(JSON.stringify({ op, d }));
  }

  /** The next message with this opcode (messages of other opcodes before it are skipped). */
  public async next(op: number, timeoutMs = 3000): Promise<GatewayMessage> {
    let found: GatewayMessage | undefined;
    await waitFor(
      () => {
        while (this.cursor < this.messages.length) {
          const m = this.messages[this.cursor++]!;
          if (m.op === op) {
            found = m;
            return true;
          }
        }
        return false;
      },
      timeoutMs,
      `op ${op}`,
    );
    return found!;
  }

  public async closed(timeoutMs = 3000): Promise<number> {
    await waitFor(() => this.closeCode !== null, timeoutMs, 'close');
    return this.closeCode!;
  }

  public close(code = 1000): void {
    this.ws.close(code);
  }
}

/** A throwaway self-signed certificate for 127.0.0.1 / localhost, or null when openssl is not installed. */
export function makeSelfSignedCert(): { cert: Buffer; key: Buffer } | null {
  const dir = mkdtempSync(join(tmpdir(), 'voice-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
