/**
 * An Ogg Opus file (RFC 7845) from Opus packets as the SFU forwards them: stereo, 48 kHz, one packet per 20 ms frame
 * (Discord's clients' framing). Written so a moderator's browser or player opens the evidence as it is. Timing gaps
 * (a speaker's pauses) are not filled: the file holds what was said, back to back.
 */
export function writeOggOpus(packets: readonly Uint8Array[], options: { serial?: number } = {}): Buffer {
  const serial = (options.serial ?? 0x636f6e63) >>> 0;
  const pages: Buffer[] = [];
  let sequence = 0;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 2; // channels
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(48_000, 12); // input sample rate (informational)
  head.writeInt16LE(0, 16); // output gain
  head[18] = 0; // channel mapping family 0 (mono/stereo)
  pages.push(page([head], 0n, serial, sequence++, BOS));
  const vendor = Buffer.from('concord', 'utf8');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length);
  pages.push(page([tags], 0n, serial, sequence++, 0));
  let granule = BigInt(PRE_SKIP);
  let batch: Uint8Array[] = [];
  let segments = 0;
  const flush = (last: boolean) => {
    pages.push(page(batch, granule, serial, sequence++, last ? EOS : 0));
    batch = [];
    segments = 0;
  };
  for (let i = 0; i < packets.length; i++) {
    const packet = packets[i]!;
    const needed = Math.floor(packet.length / 255) + 1;
    if (needed > 255) continue; // longer than one page can carry: not an Opus frame of a voice call
    if (segments + needed > 255 || batch.length >= PACKETS_PER_PAGE) flush(false);
    batch.push(packet);
    segments += needed;
    granule += BigInt(SAMPLES_PER_FRAME);
  }
  flush(true);
  return Buffer.concat(pages);
}

/** Samples per 20 ms frame at 48 kHz. */
const SAMPLES_PER_FRAME = 960;
/** The decoder's start-up delay Opus encoders report (3.75 ms at 48 kHz, libopus's default). */
const PRE_SKIP = 312;
/** Packets per page: 50 is one second of audio, a reasonable seek granularity. */
const PACKETS_PER_PAGE = 50;
const BOS = 0x02;
const EOS = 0x04;

function page(
  packets: readonly Uint8Array[],
  granule: bigint,
  serial: number,
  sequence: number,
  flags: number,
): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'ascii');
  header[4] = 0; // version
  header[5] = flags;
  header.writeBigUInt64LE(granule, 6);
  header.writeUInt32LE(serial, 14);
  header.writeUInt32LE(sequence, 18);
  header.writeUInt32LE(0, 22); // CRC, filled below
  header[26] = lacing.length;
  for (let i = 0; i < lacing.length; i++) header[27 + i] = lacing[i]!;
  const out = Buffer.concat([header, ...packets]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32: polynomial 0x04c11db7, no reflection, initial value and final XOR 0. */
function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}
