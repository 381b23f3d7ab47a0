import type { CryptoBackend } from '../crypto/backends.js';
import type { EncryptionMode } from '../crypto/modes.js';
import { type OpenedRtp, PacketCipher, type PacketCipherOptions } from '../crypto/PacketCipher.js';

/** Receive contexts kept for SSRCs the server has not announced (op 5) yet. */
const MAX_UNANNOUNCED_RECEIVERS = 64;

export interface MediaSessionOptions {
  backend?: CryptoBackend;
  /** How often `onReportDue` runs, ms (0: never). */
  reportIntervalMs: number;
  /** Time to send an RTCP receiver report. */
  onReportDue: () => void;
}

/**
 * The keyed media path of one Session Description: the cipher our packets are sealed with, the one RTCP from the
 * server is opened with, one receive context per speaker, and the receiver report timer. Lives as long as the key:
 * through `ready` and `resuming`, replaced by a new Session Description.
 */
export class MediaSession {
  public readonly mode: EncryptionMode;
  private readonly key: Uint8Array;
  private readonly cipherOptions: PacketCipherOptions;
  private readonly sender: PacketCipher;
  private readonly rtcpReceiver: PacketCipher;
  /** One receive context per speaker: sequence-keyed replay windows are per stream. */
  private readonly receivers = new Map<number, PacketCipher>();
  private readonly reportTimer: NodeJS.Timeout | undefined;

  public constructor(mode: EncryptionMode, key: Uint8Array, options: MediaSessionOptions) {
    this.mode = mode;
    this.key = key;
    this.cipherOptions = options.backend ? { backend: options.backend } : {};
    this.sender = new PacketCipher(mode, key, this.cipherOptions);
    this.rtcpReceiver = new PacketCipher(mode, key, this.cipherOptions);
    if (options.reportIntervalMs > 0) {
      this.reportTimer = setInterval(options.onReportDue, options.reportIntervalMs);
      this.reportTimer.unref();
    }
  }

  /** Receive contexts held, one per SSRC a packet authenticated from. */
  public get receiverCount(): number {
    return this.receivers.size;
  }

  /** Encrypts one RTP packet of ours. */
  public seal(header: Uint8Array, payload: Uint8Array): Buffer {
    return this.sender.seal(header, payload);
  }

  /** Encrypts one RTCP packet of ours. */
  public sealRtcp(packet: Uint8Array): Buffer {
    return this.sender.sealRtcp(packet);
  }

  /** Decrypts one RTCP packet from the server; throws when it does not authenticate. */
  public openRtcp(packet: Uint8Array): Buffer {
    return this.rtcpReceiver.openRtcp(packet);
  }

  /**
   * Decrypts one RTP packet from `ssrc` with that stream's context; throws when it does not authenticate or is a
   * replay. Returns null, without trying, for an SSRC not in `announced` once MAX_UNANNOUNCED_RECEIVERS are held.
   */
  public open(packet: Buffer, ssrc: number, announced: ReadonlyMap<number, unknown>): OpenedRtp | null {
    const known = this.receivers.get(ssrc);
    if (known) return known.open(packet);
    // Anyone can send datagrams here: an SSRC the server did not announce gets a context only within a bound...
    if (!announced.has(ssrc) && this.receivers.size >= MAX_UNANNOUNCED_RECEIVERS) return null;
    const receiver = new PacketCipher(this.mode, this.key, this.cipherOptions);
    const opened = receiver.open(packet);
    // ...and only once a packet for it authenticated, so garbage cannot use up the bound.
    this.receivers.set(ssrc, receiver);
    return opened;
  }

  /** Drops the receive context of a speaker who left. */
  public forget(ssrc: number): void {
    this.receivers.delete(ssrc);
  }

  /** Stops the report timer (the ciphers hold nothing else). */
  public dispose(): void {
    if (this.reportTimer) clearInterval(this.reportTimer);
  }
}
