// DAVE's decoders of client bytes, fuzzed with a resource budget per case (see budget.ts): the binary frame decoder,
// the MLS key package and commit/welcome parsers (on random bytes and on mutations of real ones made by davey), and
// the group's handling of op 26/28 as a whole, which must answer a reason or nothing, never throw.
import Davey from '@snazzah/davey';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DaveGroup } from '../src/dave/DaveGroup.js';
import {
  DaveOpcode,
  decodeClientFrame,
  MAX_COMMIT_WELCOME,
  MAX_KEY_PACKAGE,
  proposalsAppend,
} from '../src/dave/daveFrames.js';
import { ExternalSender } from '../src/dave/ExternalSender.js';
import { encodeVarint, MlsDecodeError, TlsReader } from '../src/dave/mlsEncoding.js';
import { credentialIdentity, parseCommitWelcome, parseKeyPackage } from '../src/dave/mlsMessages.js';
import { budgetFor, measure } from './budget.js';

const RUNS = { numRuns: Number(process.env.DAVE_FUZZ_RUNS ?? 300) };
const CHANNEL = '1300000000000000001';
const sender = new ExternalSender();

/** A real key package and a real commit + welcome (two davey sessions forming a group through `sender`). */
const real = (() => {
  const a = new Davey.DAVESession(1, '1300000000000000011', CHANNEL);
  const b = new Davey.DAVESession(1, '1300000000000000012', CHANNEL);
  a.setExternalSender(sender.serialized);
  const keyPackage = b.getSerializedKeyPackage();
  const add = sender.proposeAdd(credentialIdentity(CHANNEL)!, 0n, keyPackage);
  const { commit, welcome } = a.processProposals(0, proposalsAppend([add.message]).subarray(1));
  return { keyPackage, commitWelcome: Buffer.concat([commit!, welcome!]) };
})();

/** Mutations of a valid input: truncated, extended, bytes overwritten (lengths included). */
function mutated(base: Buffer) {
  return fc
    .record({
      cut: fc.integer({ min: 0, max: base.length }),
      edits: fc.array(fc.record({ at: fc.nat(base.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
        maxLength: 6,
      }),
      tail: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ cut, edits, tail }) => {
      const out = Buffer.from(base);
      for (const e of edits) out[e.at] = e.byte;
      return Buffer.concat([out.subarray(0, cut === 0 ? base.length : cut), tail]);
    });
}

/**
 * `fn` on `input` stays within the input's budget (budget.ts). A single over-budget run on a loaded machine (a GC or a
 * descheduling in the middle) is measured again, up to three times; a decoder that really allocates what a header
 * declares or loops on a lying length is over budget every time. Fails with the cheapest run's cost.
 */
function withinBudget(input: { length: number }, fn: () => void): undefined {
  const budget = budgetFor(input.length);
  let best = measure(fn);
  for (let i = 0; i < 2 && (best.ms >= budget.ms || best.bytes >= budget.bytes); i++) {
    const again = measure(fn);
    if (again.ms + again.bytes / 2 ** 20 < best.ms + best.bytes / 2 ** 20) best = again;
  }
  expect(best.ms, `time for ${input.length} bytes`).toBeLessThan(budget.ms);
  expect(best.bytes, `memory for ${input.length} bytes`).toBeLessThan(budget.bytes);
  return undefined;
}

/** Throws only MlsDecodeError (a refusal), never anything else. */
function onlyDecodeErrors(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MlsDecodeError);
  }
}

describe('DAVE binary frames', () => {
  it('decodes only op 26 and 28 within their caps, never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        const input = Buffer.from(bytes);
        let frame: ReturnType<typeof decodeClientFrame> = null;
        expect(
          withinBudget(input, () => {
            frame = decodeClientFrame(input);
          }),
        ).toBeUndefined();
        if (frame === null) return;
        const { op, payload } = frame as { op: number; payload: Buffer };
        expect([DaveOpcode.KeyPackage, DaveOpcode.CommitWelcome]).toContain(op);
        expect(payload.length).toBeLessThanOrEqual(op === DaveOpcode.KeyPackage ? MAX_KEY_PACKAGE : MAX_COMMIT_WELCOME);
        expect(payload.length).toBe(input.length - 1);
      }),
      { numRuns: 100 },
    );
  });

  it('round-trips variable-length integers and refuses non-minimal ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), (n) => {
        const reader = new TlsReader(encodeVarint(n));
        expect(reader.varint()).toBe(n);
        reader.end();
      }),
    );
    expect(() => new TlsReader(Buffer.from([0x40, 0x05])).varint()).toThrow(MlsDecodeError);
    expect(() => new TlsReader(Buffer.from([0xc0, 0, 0, 0, 0, 0, 0, 1])).varint()).toThrow(MlsDecodeError);
  });
});

describe('MLS parsing', () => {
  it('parses the real inputs', () => {
    expect(parseKeyPackage(real.keyPackage).leaf.identity).toEqual(credentialIdentity('1300000000000000012'));
    const { commit, welcome } = parseCommitWelcome(real.commitWelcome);
    expect(commit.epoch).toBe(0n);
    expect(commit.refs).toHaveLength(1);
    expect(welcome).not.toBeNull();
  });

  it('key packages: random and mutated bytes give a result or an MlsDecodeError, within budget', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }).map((u) => Buffer.from(u)),
      mutated(real.keyPackage),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        expect(withinBudget(bytes, () => onlyDecodeErrors(() => parseKeyPackage(bytes)))).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('commits and welcomes: random and mutated bytes give a result or an MlsDecodeError, within budget', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 8192 }).map((u) => Buffer.from(u)),
      mutated(real.commitWelcome),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        expect(withinBudget(bytes, () => onlyDecodeErrors(() => parseCommitWelcome(bytes)))).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('the group answers hostile op 26/28 with a reason or nothing, and keeps its state', () => {
    const group = new DaveGroup(CHANNEL, { enabled: true, transitionTimeout: 60_000, sender });
    const member = group.join({
      userId: '1300000000000000012',
      maxDaveVersion: 1,
      sendJson: () => {},
      sendBinary: () => {},
    });
    member.described();
    const input = fc.tuple(
      fc.constantFrom(DaveOpcode.KeyPackage, DaveOpcode.CommitWelcome),
      fc.oneof(
        mutated(real.keyPackage),
        mutated(real.commitWelcome),
        fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u)),
      ),
    );
    fc.assert(
      fc.property(input, ([op, bytes]) => {
        let answer: string | null = null;
        expect(
          withinBudget(bytes, () => {
            answer = member.receive(op, bytes);
          }),
        ).toBeUndefined();
        expect(answer === null || typeof answer === 'string').toBe(true);
        expect(group.epoch).toBe(0);
      }),
      RUNS,
    );
    group.close();
  });
});
