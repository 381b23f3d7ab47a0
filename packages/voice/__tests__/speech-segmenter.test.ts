import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWav } from '../src/speech/EspeakSynthesizer.js';
import { toStereo48k } from '../src/speech/resample.js';
import { type Segment, Segmenter } from '../src/speech/Segmenter.js';

/** 20 ms of mono 48 kHz: a sine at `amplitude` (full scale 1), or silence at 0. */
function frame(amplitude: number, frequency = 300): Int16Array {
  const out = new Int16Array(960);
  for (let i = 0; i < 960; i++)
    out[i] = Math.round(amplitude * 32_767 * Math.sin((2 * Math.PI * frequency * i) / 48_000));
  return out;
}

/** Pushes `frames` (true: voiced) at 20 ms steps from 0; what came out, then the flush. */
function run(seg: Segmenter, frames: boolean[]): Segment[] {
  const out: Segment[] = [];
  frames.forEach((voiced, i) => {
    const s = seg.push(frame(voiced ? 0.3 : 0), i * 20);
    if (s) out.push(s);
  });
  const last = seg.flush();
  if (last) out.push(last);
  return out;
}

describe('Segmenter (energy VAD)', () => {
  it('cuts an utterance at a silence gap, trimmed to its voiced frames, with its times', () => {
    const seg = new Segmenter({ silenceMs: 200, minMs: 100 });
    // 5 silent, 25 voiced (500 ms), 5 silent (100 ms: a pause inside), 10 voiced, 15 silent (300 ms: the end)
    const plan = [...Array(5).fill(false), ...Array(25).fill(true), ...Array(5).fill(false), ...Array(10).fill(true)];
    const out = run(seg, [...plan, ...Array(15).fill(false)]);
    expect(out).toHaveLength(1);
    expect(out[0]!.from).toBe(100);
    // 25 + 5 + 10 frames from the first voiced one: 800 ms.
    expect(out[0]!.pcm.length).toBe(40 * 960);
    expect(out[0]!.to).toBe(900);
  });

  it('drops voiced runs shorter than minMs and cuts at maxMs', () => {
    expect(run(new Segmenter({ minMs: 200 }), [true, true, ...Array(40).fill(false)])).toEqual([]);
    const out = run(new Segmenter({ maxMs: 1000 }), Array(120).fill(true)); // 2.4 s of speech
    expect(out.map((s) => s.pcm.length / 960)).toEqual([50, 50, 20]);
    expect(out.map((s) => s.from)).toEqual([0, 1000, 2000]);
  });

  it('ends the open utterance on flush (a speaker who stopped sending)', () => {
    const seg = new Segmenter();
    for (let i = 0; i < 20; i++) expect(seg.push(frame(0.3), i * 20)).toBeNull();
    expect(seg.active).toBe(true);
    expect(seg.flush()!.pcm.length).toBe(20 * 960);
    expect(seg.flush()).toBeNull();
  });

  it('refuses options outside its bounds', () => {
    expect(() => new Segmenter({ maxMs: 60_001 })).toThrow(RangeError);
    expect(() => new Segmenter({ silenceMs: 0 })).toThrow(RangeError);
  });

  it('on random PCM: never throws; utterances bounded in count and length by the input', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 2000 }).map((n) => new Int16Array(n)),
            fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 2000 }).map((a) => Int16Array.from(a)),
            fc.double({ min: 0, max: 1, noNaN: true }).map((a) => frame(a)),
          ),
          { maxLength: 120 },
        ),
        fc.record({
          maxMs: fc.integer({ min: 100, max: 2000 }),
          silenceMs: fc.integer({ min: 20, max: 1000 }),
          minMs: fc.integer({ min: 0, max: 500 }),
          threshold: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        (frames, options) => {
          const seg = new Segmenter(options);
          const maxSamples = Math.round(options.maxMs * 48);
          const out: Segment[] = [];
          let input = 0;
          let at = 0;
          for (const f of frames) {
            input += Math.min(f.length, maxSamples);
            const s = seg.push(f, at);
            at += f.length / 48;
            if (s) out.push(s);
          }
          const last = seg.flush();
          if (last) out.push(last);
          const total = out.reduce((n, s) => n + s.pcm.length, 0);
          expect(total).toBeLessThanOrEqual(input);
          expect(out.length).toBeLessThanOrEqual(frames.length);
          for (const s of out) {
            expect(s.pcm.length).toBeGreaterThan(0);
            expect(s.pcm.length).toBeLessThanOrEqual(maxSamples);
            expect(s.pcm.length).toBeGreaterThanOrEqual(Math.round(options.minMs * 48));
            expect(s.to).toBeGreaterThan(s.from);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('WAV and resampling (the espeak-ng path)', () => {
  function wav(rate: number, samples: number[], declared?: number): Buffer {
    const data = Buffer.alloc(samples.length * 2);
    for (const [i, v] of samples.entries()) data.writeInt16LE(v, i * 2);
    const head = Buffer.alloc(44);
    head.write('RIFF', 0, 'latin1');
    head.writeUInt32LE(36 + data.length, 4);
    head.write('WAVEfmt ', 8, 'latin1');
    head.writeUInt32LE(16, 16);
    head.writeUInt16LE(1, 20);
    head.writeUInt16LE(1, 22);
    head.writeUInt32LE(rate, 24);
    head.writeUInt32LE(rate * 2, 28);
    head.writeUInt16LE(2, 32);
    head.writeUInt16LE(16, 34);
    head.write('data', 36, 'latin1');
    head.writeUInt32LE(declared ?? data.length, 40);
    return Buffer.concat([head, data]);
  }

  it('reads mono s16 WAV, capping a lying data length by what is there', () => {
    expect([...parseWav(wav(22_050, [1, -2, 3])).samples]).toEqual([1, -2, 3]);
    expect(parseWav(wav(22_050, [1, 2], 0xffffffff)).samples.length).toBe(2);
    expect(() => parseWav(Buffer.from('RIFF0000WAVE'))).toThrow('WAV without data');
    expect(() => parseWav(Buffer.alloc(3))).toThrow('not a WAV file');
  });

  it('never throws anything but an Error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const input = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVE'), Buffer.from(bytes)]);
        try {
          const { samples } = parseWav(input);
          expect(samples.length * 2).toBeLessThanOrEqual(input.length);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }),
    );
  });

  it('resamples to 48 kHz stereo: length by the rate ratio, both channels equal', () => {
    const out = toStereo48k(new Int16Array(22_050).fill(1000), 22_050);
    expect(out.length).toBe(48_000 * 2);
    expect(out[0]).toBe(1000);
    expect(out[out.length - 1]).toBe(1000);
  });
});
