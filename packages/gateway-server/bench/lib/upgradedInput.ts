/** What a raw-socket bench client reads from one connection. */
export interface UpgradedInput {
  /** True once the server's reply to the upgrade request (a 101) has been read. */
  readonly upgraded: boolean;
  /**
   * `chunk` joined to the bytes kept from the previous read, from the first byte after the upgrade reply: null while
   * the reply's head is incomplete, or when it is not a 101 (then `fail` has been called).
   */
  read(chunk: Buffer): Buffer | null;
  /** Keeps the start of an incomplete frame for the next read. */
  keep(rest: Buffer): void;
}

export function upgradedInput(fail: (error: Error) => void): UpgradedInput {
  let pending: Buffer | null = null;
  let upgraded = false;
  return {
    get upgraded() {
      return upgraded;
    },
    read(chunk) {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = null;
      if (upgraded) return buf;
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        pending = buf;
        return null;
      }
      if (!buf.subarray(0, 12).toString('latin1').includes('101')) {
        fail(new Error(buf.subarray(0, end).toString('latin1')));
        return null;
      }
      upgraded = true;
      return buf.subarray(end + 4);
    },
    keep(rest) {
      pending = rest;
    },
  };
}
