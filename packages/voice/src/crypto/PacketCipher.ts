import { createCipheriv, createDecipheriv, randomBytes, randomFillSync, randomInt } from 'node:crypto';
import { PacketError } from '../errors.js';
import { parseRtpPacket, RTP_HEADER_SIZE, readRtpFixedHeader } from '../rtp/RtpHeader.js';
import { type CryptoBackend, defaultBackend } from './backends.js';
import { AUTH_TAG_LENGTH, type EncryptionMode, SECRET_KEY_LENGTH } from './modes.js';
import { type AesGcmSealing, nativeAesGcm } from './nativeAesGcm.js';
import { ReplayWindow } from './ReplayWindow.js';
import { SequenceReplayGuard } from './SequenceReplayGuard.js';

/** A decrypted RTP packet: the full plaintext header (padding flag cleared) and the Opus payload, padding removed. */
export interface OpenedRtp {
  /** Fixed header ‖ CSRCs ‖ extension preamble ‖ extension body, as a plaintext RTP packet would start. */
  header: Buffer;
  payload: Buffer;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payloadType: number;
  marker: boolean;
  /** The extension profile and body when X=1 (the body is encrypted on the wire and decrypted here). */
  extension: { profile: number; body: Buffer } | null;
}

export interface PacketCipherOptions {
  backend?: CryptoBackend;
  /** Refuse duplicated and stale packets in `open` (default true). */
  replayProtection?: boolean;
  /**
   * First nonce counter used when sealing (default: random in the upper half of the range, see README). The counter
   * never wraps: once 0xFFFFFFFF is used, `seal` and `sealRtcp` throw NONCE_EXHAUSTED (a new key is needed).
   */
  initialCounter?: number;
}

const ZERO_12 = new Uint8Array(12);
/** SSRCs one key may carry in the sequence-number modes: audio, up to 4 video layers and their RTX, with room. */
const MAX_GUARDED_SSRCS = 16;
const ZERO_4 = new Uint8Array(4);
/** RTCP common header + sender SSRC, left in clear. */
const RTCP_CLEAR = 8;

/**
 * One direction-agnostic crypto context per (connection, mode, key): `seal` encrypts packets sent to that peer (with
 * its own nonce counter), `open` decrypts and authenticates packets received from it (with its own replay window).
 */
export class PacketCipher {
  public readonly mode: EncryptionMode;
  private readonly key: Uint8Array;
  private readonly backend: CryptoBackend;
  /** Over the peer's 32-bit nonce counter: its RTP in the counter modes, its RTCP in every mode. */
  private readonly counterReplay: ReplayWindow | null;
  /** Over the RTP sequence (and timestamp) in the modes whose RTP nonce is not a counter. */
  private readonly sequenceReplay: SequenceReplayGuard | null;
  /** Sequence guards of SSRCs other than the first one opened (video layers, RTX), in the sequence-number modes. */
  private readonly otherGuards = new Map<number, SequenceReplayGuard>();
  /** The SSRC `sequenceReplay` guards (-1: none opened yet). */
  private guardedSsrc = -1;
  private counter: number;
  private exhausted = false;
  // Reused per call: these are copied before any await-free call returns, so sharing them is safe.
  private readonly nonce24 = Buffer.alloc(24);
  private readonly iv12 = Buffer.alloc(12);
  /** The native AES-GCM context of this key (made on the first seal; null: not available, node:crypto seals). */
  private aes: AesGcmSealing | null | undefined;

  public constructor(mode: EncryptionMode, key: Uint8Array, options: PacketCipherOptions = {}) {
    if (key.length !== SECRET_KEY_LENGTH) throw new RangeError(`secret key must be ${SECRET_KEY_LENGTH} bytes`);
    this.mode = mode;
    this.key = Uint8Array.from(key);
    this.backend = options.backend ?? defaultBackend;
    const replayOn = options.replayProtection ?? true;
    // Counter modes are guarded on the nonce counter; the others on the RTP sequence number (see SequenceReplayGuard).
    // A nonce counter is used as the index as is: it must not wrap (that would reuse nonces under the same key), so
    // a counter behind the window stays old forever, however far behind.
    this.counterReplay = replayOn ? new ReplayWindow() : null;
    this.sequenceReplay = replayOn && !isCounterMode(mode) ? new SequenceReplayGuard() : null;
    // Both directions share one key; peers usually count from 0 or 1, so starting high keeps our nonces away from theirs.
    this.counter = (options.initialCounter ?? 0x80000000 + randomInt(0, 0x40000000)) >>> 0;
  }

  /** Encrypts `payload` behind `header` (a plaintext RTP header as built by buildRtpHeader, without padding). */
  public seal(header: Uint8Array, payload: Uint8Array): Buffer {
    switch (this.mode) {
      case 'aead_aes256_gcm_rtpsize':
      case 'aead_xchacha20_poly1305_rtpsize': {
        const out = Buffer.allocUnsafe(this.sealedLength(header, payload));
        this.sealRtpsizeInto(header, payload, out, 0);
        return out;
      }
      default:
        return this.sealSecretbox(header, payload);
    }
  }

  /** The size of the datagram `seal(header, payload)` makes. */
  public sealedLength(header: Uint8Array, payload: Uint8Array): number {
    const suffix = this.mode === 'xsalsa20_poly1305_suffix' ? 24 : this.mode === 'xsalsa20_poly1305' ? 0 : 4; // nonce counter
    return header.length + payload.length + AUTH_TAG_LENGTH + suffix;
  }

  /**
   * `seal`, written into `out` at `at` (room for `sealedLength` bytes) instead of a new buffer; returns the offset
   * after the datagram. The forwarding path seals every listener's copy into one send batch this way.
   */
  public sealInto(header: Uint8Array, payload: Uint8Array, out: Buffer, at: number): number {
    if (this.mode === 'aead_aes256_gcm_rtpsize' || this.mode === 'aead_xchacha20_poly1305_rtpsize') {
      return this.sealRtpsizeInto(header, payload, out, at);
    }
    const sealed = this.sealSecretbox(header, payload);
    out.set(sealed, at);
    return at + sealed.length;
  }

  /** Decrypts and authenticates a packet; throws a PacketError for anything unusable. */
  public open(packet: Uint8Array): OpenedRtp {
    switch (this.mode) {
      case 'aead_aes256_gcm_rtpsize':
      case 'aead_xchacha20_poly1305_rtpsize':
        return this.openRtpsize(packet);
      default:
        return this.openSecretbox(packet);
    }
  }

  /**
   * Encrypts a plaintext RTCP packet (compound allowed). The first 8 bytes (common header + sender SSRC) stay in
   * clear, as Discord does: in the AEAD modes they are the AAD, then ciphertext ‖ tag ‖ counter(4). The XSalsa20
   * modes have no RTCP layout of their own: there RTCP is header(8) ‖ secretbox(whole packet) ‖ counter(4) (lite-style
   * nonce; the header is boxed too since secretbox has no AAD). The counter is shared with RTP, so no nonce repeats.
   */
  public sealRtcp(packet: Uint8Array): Buffer {
    if (packet.length < RTCP_CLEAR) throw new PacketError('RTCP_TOO_SHORT', 'RTCP packet under 8 bytes');
    const aad = packet.subarray(0, RTCP_CLEAR);
    const body = packet.subarray(RTCP_CLEAR);
    const counter = this.nextCounter();
    let sealed: Uint8Array;
    if (this.mode === 'aead_aes256_gcm_rtpsize') {
      this.iv12.writeUInt32BE(counter, 0);
      const cipher = createCipheriv('aes-256-gcm', this.key, this.iv12, { authTagLength: AUTH_TAG_LENGTH });
      cipher.setAAD(aad);
      const head = cipher.update(body);
      cipher.final();
      sealed = Buffer.concat([head, cipher.getAuthTag()]);
    } else {
      this.nonce24.fill(0);
      this.nonce24.writeUInt32BE(counter, 0);
      sealed =
        this.mode === 'aead_xchacha20_poly1305_rtpsize'
          ? this.backend.xchachaSeal(body, aad, this.nonce24, this.key)
          : // secretbox has no AAD: box the whole packet, and `openRtcp` checks the clear copy against it.
            this.backend.secretboxSeal(packet, this.nonce24, this.key);
    }
    const out = Buffer.allocUnsafe(RTCP_CLEAR + sealed.length + 4);
    out.set(aad, 0);
    out.set(sealed, RTCP_CLEAR);
    out.writeUInt32BE(counter, RTCP_CLEAR + sealed.length);
    return out;
  }

  /**
   * Decrypts an RTCP packet sealed by `sealRtcp` and returns the plaintext RTCP. Replays are refused on the nonce
   * counter: in the counter modes with the window RTP uses (same counter), in `xsalsa20_poly1305` and `_suffix` with a
   * window of its own (their RTP is keyed on the sequence number, their RTCP on the counter).
   */
  public openRtcp(packet: Uint8Array): Buffer {
    if (packet.length < RTCP_CLEAR + AUTH_TAG_LENGTH + 4) throw new PacketError('PACKET_TOO_SHORT', 'RTCP too short');
    const end = packet.length;
    const counter =
      ((packet[end - 4]! << 24) | (packet[end - 3]! << 16) | (packet[end - 2]! << 8) | packet[end - 1]!) >>> 0;
    const replay = this.counterReplay;
    if (replay && !replay.check(counter)) throw new PacketError('REPLAY', `nonce ${counter} seen`);
    const aad = packet.subarray(0, RTCP_CLEAR);
    const sealed = packet.subarray(RTCP_CLEAR, end - 4);
    let plain: Uint8Array | null;
    if (this.mode === 'aead_aes256_gcm_rtpsize') {
      this.iv12.writeUInt32BE(counter, 0);
      plain = aesOpen(this.key, this.iv12, aad, sealed);
    } else {
      this.nonce24.fill(0);
      this.nonce24.writeUInt32BE(counter, 0);
      plain =
        this.mode === 'aead_xchacha20_poly1305_rtpsize'
          ? this.backend.xchachaOpen(sealed, aad, this.nonce24, this.key)
          : this.backend.secretboxOpen(sealed, this.nonce24, this.key);
      if (plain && this.mode !== 'aead_xchacha20_poly1305_rtpsize') {
        if (plain.length < RTCP_CLEAR || !Buffer.from(aad).equals(plain.subarray(0, RTCP_CLEAR))) plain = null;
        else plain = plain.subarray(RTCP_CLEAR);
      }
    }
    if (!plain) throw new PacketError('DECRYPT_FAILED', 'authentication failed');
    replay?.commit(counter);
    const out = Buffer.allocUnsafe(RTCP_CLEAR + plain.length);
    out.set(aad, 0);
    out.set(plain, RTCP_CLEAR);
    return out;
  }

  private nextCounter(): number {
    // Wrapping would reuse a nonce under this key (fatal for AES-GCM): stop instead; the session must be re-keyed.
    if (this.exhausted) throw new PacketError('NONCE_EXHAUSTED', 'nonce counter exhausted: re-key the session');
    const value = this.counter;
    if (value === 0xffffffff) this.exhausted = true;
    else this.counter = value + 1;
    return value;
  }

  private sealRtpsizeInto(header: Uint8Array, payload: Uint8Array, out: Buffer, at: number): number {
    const clear = clearLength(header);
    const counter = this.nextCounter();
    const message = joined(header, clear, payload);
    // The clear header (padding flag off) is both the datagram's start and the AAD.
    let aad = header.subarray(0, clear);
    if (header[0]! & 0x20) {
      aad = Uint8Array.from(aad);
      aad[0] = aad[0]! & ~0x20;
    }
    let end: number;
    if (this.mode === 'aead_aes256_gcm_rtpsize') {
      this.iv12.writeUInt32BE(counter, 0);
      if (this.aes === undefined) this.aes = nativeAesGcm(this.key);
      if (this.aes) end = this.aes.seal(out, at, aad, message, this.iv12);
      else {
        out.set(aad, at);
        const cipher = createCipheriv('aes-256-gcm', this.key, this.iv12, { authTagLength: AUTH_TAG_LENGTH });
        cipher.setAAD(aad);
        end = at + clear;
        end += copyInto(out, cipher.update(message), end);
        cipher.final();
        end += copyInto(out, cipher.getAuthTag(), end);
      }
    } else {
      this.nonce24.fill(0);
      this.nonce24.writeUInt32BE(counter, 0);
      out.set(aad, at);
      end = at + clear;
      const sealInto = this.backend.xchachaSealInto;
      if (sealInto) {
        const sealed = out.subarray(end, end + message.length + AUTH_TAG_LENGTH);
        sealInto(sealed, message, out.subarray(at, at + clear), this.nonce24, this.key);
        end += sealed.length;
      } else end += copyInto(out, this.backend.xchachaSeal(message, aad, this.nonce24, this.key), end);
    }
    out.writeUInt32BE(counter, end);
    return end + 4;
  }

  private openRtpsize(packet: Uint8Array): OpenedRtp {
    const fixed = readRtpFixedHeader(packet);
    const clear = RTP_HEADER_SIZE + 4 * fixed.csrcCount + (fixed.extension ? 4 : 0);
    if (packet.length < clear + AUTH_TAG_LENGTH + 4) throw new PacketError('PACKET_TOO_SHORT', 'no room for tag');
    const end = packet.length;
    const counter =
      ((packet[end - 4]! << 24) | (packet[end - 3]! << 16) | (packet[end - 2]! << 8) | packet[end - 1]!) >>> 0;
    if (this.counterReplay && !this.counterReplay.check(counter)) {
      throw new PacketError('REPLAY', `nonce ${counter} seen`);
    }
    const aad = packet.subarray(0, clear);
    const sealed = packet.subarray(clear, end - 4);
    let plain: Uint8Array | null;
    if (this.mode === 'aead_aes256_gcm_rtpsize') {
      this.iv12.writeUInt32BE(counter, 0);
      plain = aesOpen(this.key, this.iv12, aad, sealed);
    } else {
      this.nonce24.fill(0);
      this.nonce24.writeUInt32BE(counter, 0);
      plain = this.backend.xchachaOpen(sealed, aad, this.nonce24, this.key);
    }
    if (!plain) throw new PacketError('DECRYPT_FAILED', 'authentication failed');
    const opened = assemble(aad, plain);
    this.counterReplay?.commit(counter);
    return opened;
  }

  private sealSecretbox(header: Uint8Array, payload: Uint8Array): Buffer {
    // Old modes: only the fixed 12 bytes are clear; CSRCs and the whole extension travel inside the box.
    const message =
      header.length > RTP_HEADER_SIZE ? Buffer.concat([header.subarray(RTP_HEADER_SIZE), payload]) : payload;
    const nonce = this.nonce24;
    let suffix: Uint8Array = ZERO_4.subarray(0, 0);
    if (this.mode === 'xsalsa20_poly1305') {
      nonce.set(header.subarray(0, RTP_HEADER_SIZE), 0);
      nonce[0] = nonce[0]! & ~0x20;
      nonce.set(ZERO_12, 12);
    } else if (this.mode === 'xsalsa20_poly1305_suffix') {
      randomNonce(nonce);
      suffix = nonce;
    } else {
      nonce.fill(0);
      nonce.writeUInt32BE(this.nextCounter(), 0);
      suffix = nonce.subarray(0, 4);
    }
    const box = this.backend.secretboxSeal(message, nonce, this.key);
    const out = Buffer.allocUnsafe(RTP_HEADER_SIZE + box.length + suffix.length);
    out.set(header.subarray(0, RTP_HEADER_SIZE), 0);
    out[0] = out[0]! & ~0x20;
    out.set(box, RTP_HEADER_SIZE);
    out.set(suffix, RTP_HEADER_SIZE + box.length);
    return out;
  }

  private openSecretbox(packet: Uint8Array): OpenedRtp {
    const fixed = readRtpFixedHeader(packet);
    const suffixLength = this.mode === 'xsalsa20_poly1305_suffix' ? 24 : this.mode === 'xsalsa20_poly1305_lite' ? 4 : 0;
    const end = packet.length - suffixLength;
    if (end < RTP_HEADER_SIZE + AUTH_TAG_LENGTH) throw new PacketError('PACKET_TOO_SHORT', 'no room for MAC');
    const nonce = this.nonce24;
    // -1: no replay protection; else the extended sequence index (header/random nonce) or the nonce counter (lite).
    let index = -1;
    const sequenceReplay = this.sequenceReplay ? this.sequenceGuardFor(fixed.ssrc) : null;
    if (this.mode === 'xsalsa20_poly1305_lite') {
      nonce.fill(0);
      nonce.set(packet.subarray(end), 0);
      if (this.counterReplay) {
        index = nonce.readUInt32BE(0);
        if (!this.counterReplay.check(index)) throw new PacketError('REPLAY', `nonce ${index} seen`);
      }
    } else {
      if (this.mode === 'xsalsa20_poly1305') {
        nonce.set(packet.subarray(0, RTP_HEADER_SIZE), 0);
        nonce.set(ZERO_12, 12);
      } else nonce.set(packet.subarray(end), 0);
      if (sequenceReplay) {
        index = sequenceReplay.check(fixed.sequence, fixed.timestamp);
        if (index < 0) throw new PacketError('REPLAY', `packet ${fixed.sequence} seen or stale`);
      }
    }
    const plain = this.backend.secretboxOpen(packet.subarray(RTP_HEADER_SIZE, end), nonce, this.key);
    if (!plain) throw new PacketError('DECRYPT_FAILED', 'authentication failed');
    const opened = assemble(packet.subarray(0, RTP_HEADER_SIZE), plain);
    if (index >= 0) {
      if (sequenceReplay) {
        sequenceReplay.commit(index, fixed.timestamp);
        // A guard for a new SSRC is kept only once a packet of it authenticated (forged SSRCs cannot fill the map).
        if (sequenceReplay !== this.sequenceReplay && !this.otherGuards.has(fixed.ssrc)) {
          if (this.otherGuards.size < MAX_GUARDED_SSRCS) this.otherGuards.set(fixed.ssrc, sequenceReplay);
        }
      } else this.counterReplay?.commit(index);
    }
    return opened;
  }

  /**
   * The sequence-number guard of one SSRC: sequence numbers are per SSRC, and a member sending video sends several
   * streams (audio, simulcast layers, RTX) under one key. The first SSRC seen uses `sequenceReplay` (no lookup on the
   * audio path); others get their own guard, fresh (and not yet kept) for an SSRC not seen before.
   */
  private sequenceGuardFor(ssrc: number): SequenceReplayGuard {
    const first = this.sequenceReplay!;
    if (this.guardedSsrc === ssrc) return first;
    if (this.guardedSsrc === -1) {
      this.guardedSsrc = ssrc;
      return first;
    }
    const guard = this.otherGuards.get(ssrc);
    if (guard) return guard;
    if (this.otherGuards.size >= MAX_GUARDED_SSRCS) throw new PacketError('REPLAY', 'too many SSRCs under one key');
    return new SequenceReplayGuard();
  }
}

/** Modes whose RTP nonce is a 32-bit counter carried in the packet. */
function isCounterMode(mode: EncryptionMode): boolean {
  return mode !== 'xsalsa20_poly1305' && mode !== 'xsalsa20_poly1305_suffix';
}

/** Makes a fresh random 32-byte key. */
export function generateSecretKey(): Buffer {
  return randomBytes(SECRET_KEY_LENGTH);
}

// Random nonces are drawn from the CSPRNG in 12 KiB batches: one randomFillSync per packet costs more than the cipher.
const randomPool = Buffer.alloc(24 * 512);
let randomAt = randomPool.length;

function randomNonce(into: Buffer): void {
  if (randomAt + 24 > randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  randomPool.copy(into, 0, randomAt, randomAt + 24);
  // Each nonce is used once: wipe it from the pool.
  randomPool.fill(0, randomAt, randomAt + 24);
  randomAt += 24;
}

function clearLength(header: Uint8Array): number {
  const b0 = header[0]!;
  return RTP_HEADER_SIZE + 4 * (b0 & 0x0f) + (b0 & 0x10 ? 4 : 0);
}

/**
 * The encrypted part of a packet: the header after `from`, then the payload. Opened packets keep both in one buffer,
 * so forwarding to N listeners gets a view instead of N copies.
 */
function joined(header: Uint8Array, from: number, payload: Uint8Array): Uint8Array {
  if (header.length === from) return payload;
  if (header.buffer === payload.buffer && header.byteOffset + header.length === payload.byteOffset) {
    return new Uint8Array(header.buffer, header.byteOffset + from, header.length - from + payload.length);
  }
  return Buffer.concat([header.subarray(from), payload]);
}

function copyInto(out: Buffer, chunk: Uint8Array, at: number): number {
  out.set(chunk, at);
  return chunk.length;
}

function aesOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | null {
  const tagAt = sealed.length - AUTH_TAG_LENGTH;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: AUTH_TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(tagAt));
    const head = decipher.update(sealed.subarray(0, tagAt));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return null;
  }
}

/** Joins the clear part and the decrypted part into one plaintext RTP packet and splits it into header and payload. */
function assemble(clear: Uint8Array, plain: Uint8Array): OpenedRtp {
  const logical = Buffer.allocUnsafe(clear.length + plain.length);
  logical.set(clear, 0);
  logical.set(plain, clear.length);
  const layout = parseRtpPacket(logical);
  logical[0] = logical[0]! & ~0x20;
  const h = layout.header;
  return {
    header: logical.subarray(0, layout.payloadStart),
    payload: logical.subarray(layout.payloadStart, layout.payloadEnd),
    sequence: h.sequence,
    timestamp: h.timestamp,
    ssrc: h.ssrc,
    payloadType: h.payloadType,
    marker: h.marker,
    extension: h.extension
      ? {
          profile: layout.extensionProfile,
          body: logical.subarray(layout.extensionBodyStart, layout.extensionBodyStart + layout.extensionBodyLength),
        }
      : null,
  };
}
