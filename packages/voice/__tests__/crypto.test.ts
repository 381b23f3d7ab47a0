import { createCipheriv } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { jsBackend, sodiumBackend } from '../src/crypto/backends.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../src/crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { PacketError } from '../src/errors.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';

const backends = [jsBackend, ...(sodiumBackend ? [sodiumBackend] : [])];

const headerArb = fc
  .record({
    sequence: fc.integer({ min: 0, max: 0xffff }),
    timestamp: fc.integer({ min: 0, max: 0xffffffff }),
    ssrc: fc.integer({ min: 1, max: 0xffffffff }),
    csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 3 }),
    ext: fc.option(fc.integer({ min: 0, max: 4 }).map((words) => Buffer.alloc(words * 4, 0x5a))),
  })
  .map((r) =>
    buildRtpHeader({
      sequence: r.sequence,
      timestamp: r.timestamp,
      ssrc: r.ssrc,
      csrcs: r.csrcs,
      ...(r.ext ? { extension: { profile: 0xbede, body: r.ext } } : {}),
    }),
  );

describe.each(backends.map((b) => [b.name, b] as const))('PacketCipher (%s)', (_name, backend) => {
  // AES-GCM is node:crypto whatever the backend: test it once.
  const modes = ENCRYPTION_MODES.filter((m) => backend === jsBackend || m !== 'aead_aes256_gcm_rtpsize');
  describe.each(modes.map((m) => [m]))('%s', (mode: EncryptionMode) => {
    it('round-trips header, extension and payload', () => {
      fc.assert(
        fc.property(headerArb, fc.uint8Array({ minLength: 0, maxLength: 400 }), (header, payload) => {
          const key = generateSecretKey();
          const tx = new PacketCipher(mode, key, { backend });
          const rx = new PacketCipher(mode, key, { backend });
          const packet = tx.seal(header, payload);
          const opened = rx.open(packet);
          expect(opened.header).toEqual(header);
          expect(opened.payload).toEqual(Buffer.from(payload));
        }),
        { numRuns: 60 },
      );
    });

    it('drops replays and tampering with a typed error', () => {
      const key = generateSecretKey();
      const tx = new PacketCipher(mode, key, { backend });
      const rx = new PacketCipher(mode, key, { backend });
      const packet = tx.seal(buildRtpHeader({ sequence: 5, timestamp: 960, ssrc: 77 }), Buffer.from([1, 2, 3]));
      expect(rx.open(packet).payload).toEqual(Buffer.from([1, 2, 3]));
      expect(() => rx.open(packet)).toThrow(expect.objectContaining({ code: 'REPLAY' }));
      const next = tx.seal(buildRtpHeader({ sequence: 6, timestamp: 1920, ssrc: 77 }), Buffer.from([4]));
      const forged = Buffer.from(next);
      forged[14] = forged[14]! ^ 1;
      expect(() => rx.open(forged)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
      // A forgery must not burn the genuine packet's nonce.
      expect(rx.open(next).payload).toEqual(Buffer.from([4]));
    });

    it('never throws anything but PacketError on garbage, truncation or a wrong key', () => {
      const key = generateSecretKey();
      const tx = new PacketCipher(mode, key, { backend });
      const valid = tx.seal(buildRtpHeader({ sequence: 1, timestamp: 1, ssrc: 1, csrcs: [4] }), Buffer.alloc(40, 7));
      const rx = new PacketCipher(mode, generateSecretKey(), { backend });
      const rxRight = new PacketCipher(mode, key, { backend, replayProtection: false });
      const inputs = fc.oneof(
        fc.uint8Array({ maxLength: 120 }),
        fc.integer({ min: 0, max: valid.length }).map((n) => valid.subarray(0, n)),
        fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const copy = Buffer.from(valid);
          copy[i] = copy[i]! ^ x;
          return copy;
        }),
      );
      fc.assert(
        fc.property(inputs, (input) => {
          for (const cipher of [rx, rxRight]) {
            try {
              cipher.open(input);
              expect(cipher).toBe(rxRight);
            } catch (error) {
              expect(error).toBeInstanceOf(PacketError);
            }
          }
        }),
        { numRuns: 200 },
      );
    });
  });

  it('xsalsa20_poly1305 equals tweetnacl secretbox with header ‖ 12 zeros as nonce', () => {
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: 200 }), (header, payload) => {
        const key = generateSecretKey();
        const packet = new PacketCipher('xsalsa20_poly1305', key, { backend }).seal(header, payload);
        const nonce = Buffer.concat([header.subarray(0, 12), Buffer.alloc(12)]);
        const box = nacl.secretbox(Buffer.concat([header.subarray(12), payload]), nonce, key);
        expect(packet).toEqual(Buffer.concat([header.subarray(0, 12), box]));
      }),
      { numRuns: 100 },
    );
  });

  it('xsalsa20_poly1305_lite and _suffix equal tweetnacl with their nonces', () => {
    const key = generateSecretKey();
    const header = buildRtpHeader({ sequence: 3, timestamp: 4, ssrc: 5 });
    const payload = Buffer.from('opus!');
    const lite = new PacketCipher('xsalsa20_poly1305_lite', key, { backend, initialCounter: 0x01020304 }).seal(
      header,
      payload,
    );
    const liteNonce = Buffer.alloc(24);
    liteNonce.writeUInt32BE(0x01020304, 0);
    expect(lite).toEqual(Buffer.concat([header, nacl.secretbox(payload, liteNonce, key), liteNonce.subarray(0, 4)]));
    const suffix = new PacketCipher('xsalsa20_poly1305_suffix', key, { backend }).seal(header, payload);
    const nonce = suffix.subarray(suffix.length - 24);
    expect(nacl.secretbox.open(suffix.subarray(12, suffix.length - 24), nonce, key)).toEqual(new Uint8Array(payload));
  });

  it('aead_aes256_gcm_rtpsize equals node:crypto AES-256-GCM with the clear header as AAD', () => {
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: 200 }), fc.nat(), (header, payload, counter) => {
        const key = generateSecretKey();
        const packet = new PacketCipher('aead_aes256_gcm_rtpsize', key, { backend, initialCounter: counter }).seal(
          header,
          payload,
        );
        const clear = 12 + 4 * (header[0]! & 15) + (header[0]! & 0x10 ? 4 : 0);
        const iv = Buffer.alloc(12);
        iv.writeUInt32BE(counter, 0);
        const c = createCipheriv('aes-256-gcm', key, iv);
        c.setAAD(header.subarray(0, clear));
        const body = Buffer.concat([c.update(Buffer.concat([header.subarray(clear), payload])), c.final()]);
        expect(packet).toEqual(Buffer.concat([header.subarray(0, clear), body, c.getAuthTag(), iv.subarray(0, 4)]));
      }),
      { numRuns: 100 },
    );
  });

  it('aead_xchacha20_poly1305_rtpsize equals @noble/ciphers XChaCha20-Poly1305', () => {
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: 200 }), fc.nat(), (header, payload, counter) => {
        const key = generateSecretKey();
        const packet = new PacketCipher('aead_xchacha20_poly1305_rtpsize', key, {
          backend,
          initialCounter: counter,
        }).seal(header, payload);
        const clear = 12 + 4 * (header[0]! & 15) + (header[0]! & 0x10 ? 4 : 0);
        const nonce = Buffer.alloc(24);
        nonce.writeUInt32BE(counter, 0);
        const sealed = xchacha20poly1305(key, nonce, header.subarray(0, clear)).encrypt(
          Buffer.concat([header.subarray(clear), payload]),
        );
        expect(packet).toEqual(Buffer.concat([header.subarray(0, clear), sealed, nonce.subarray(0, 4)]));
      }),
      { numRuns: 100 },
    );
  });
});

describe('decrypting RTP padding', () => {
  // seal() never pads, so padded packets are built here with the reference libraries.
  const padded = Buffer.from([0xaa, 0xbb, 0, 0, 3]);
  const header = buildRtpHeader({ sequence: 1, timestamp: 1, ssrc: 1 });
  header[0] = header[0]! | 0x20;

  it('strips padding inside the encrypted part (AES-GCM)', () => {
    const key = generateSecretKey();
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(9, 0);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(header);
    const body = Buffer.concat([c.update(padded), c.final()]);
    const opened = new PacketCipher('aead_aes256_gcm_rtpsize', key).open(
      Buffer.concat([header, body, c.getAuthTag(), iv.subarray(0, 4)]),
    );
    expect(opened.payload).toEqual(Buffer.from([0xaa, 0xbb]));
    expect(opened.header[0]! & 0x20).toBe(0);
  });

  it('strips padding inside the secretbox (xsalsa20_poly1305), and refuses a lying padding count', () => {
    const key = generateSecretKey();
    const nonce = Buffer.concat([header, Buffer.alloc(12)]);
    const packet = Buffer.concat([header, nacl.secretbox(padded, nonce, key)]);
    expect(new PacketCipher('xsalsa20_poly1305', key).open(packet).payload).toEqual(Buffer.from([0xaa, 0xbb]));
    const lying = Buffer.concat([header, nacl.secretbox(Buffer.from([1, 2, 9]), nonce, key)]);
    expect(() => new PacketCipher('xsalsa20_poly1305', key).open(lying)).toThrow(
      expect.objectContaining({ code: 'RTP_BAD_PADDING' }),
    );
  });
});
