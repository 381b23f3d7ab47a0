import { getEncoding } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { emptyControl } from '../src/wire/emptyControls.js';
import { encodeControl } from '../src/wire/frames.js';

describe('emptyControl (wire/emptyControls.ts)', () => {
  for (const name of ['json', 'etf'] as const) {
    it(`is encodeControl's payload for d: null, framed as one unmasked WebSocket frame, made once (${name})`, () => {
      const encoding = getEncoding(name);
      for (const op of [1, 11]) {
        const control = emptyControl(encoding, op);
        expect(control.payload.equals(encodeControl(encoding, op, null))).toBe(true);
        const opcode = encoding.binary ? 0x82 : 0x81;
        expect([...control.wsFrame.subarray(0, 2)]).toEqual([opcode, control.payload.length]);
        expect(control.wsFrame.subarray(2).equals(control.payload)).toBe(true);
        expect(emptyControl(encoding, op)).toBe(control);
      }
    });
  }
});
