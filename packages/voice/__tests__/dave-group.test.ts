// The voice gateway's DAVE group (src/dave/DaveGroup.ts) driven by real DAVE sessions (@snazzah/davey, the MLS
// implementation @discordjs/voice uses), reacting to its messages the way @discordjs/voice's Networking does: the
// group forms, media keys agree, members join and leave across epochs, a member without DAVE downgrades the call.
import Davey from '@snazzah/davey';
import { afterEach, describe, expect, it } from 'vitest';
import { type DaveEvent, DaveGroup, type DaveMember } from '../src/dave/DaveGroup.js';
import { DaveOpcode, proposalsAppend } from '../src/dave/daveFrames.js';
import { ExternalSender } from '../src/dave/ExternalSender.js';
import { credentialIdentity, splitWelcome } from '../src/dave/mlsMessages.js';

const CHANNEL = '1180000000000000001';
const sender = new ExternalSender();
const OPUS = Buffer.from([0x78, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]);

/** A client: a davey session fed with what the group sends, answering as @discordjs/voice does. */
class Client {
  public session: Davey.DAVESession | null = null;
  public handle!: DaveMember;
  public version = 0;
  public executed: number[] = [];
  /** Secrets entries in each Welcome it got (the gateway trims a Welcome to the joiner's own). */
  public welcomeSecrets: number[] = [];
  public readonly queue: (() => void)[];

  public constructor(
    public readonly userId: string,
    public readonly maxDaveVersion: number,
    queue: (() => void)[],
  ) {
    this.queue = queue;
  }

  public sendJson(op: number, d: unknown): void {
    this.queue.push(() => this.#json(op, d as Record<string, number>));
  }

  public sendBinary(op: number, payload: Buffer): void {
    this.queue.push(() => this.#binary(op, payload));
  }

  /** Session Description with `version`: a DAVE session and its key package. */
  public describe(): void {
    this.version = this.handle.version;
    this.handle.described();
    if (this.version > 0) this.#reinit();
  }

  #reinit(): void {
    if (this.session) this.session.reinit(1, this.userId, CHANNEL);
    else this.session = new Davey.DAVESession(1, this.userId, CHANNEL);
    const kp = this.session.getSerializedKeyPackage();
    this.queue.push(() => this.handle.receive(DaveOpcode.KeyPackage, kp));
  }

  #json(op: number, d: Record<string, number>): void {
    if (op === DaveOpcode.PrepareEpoch && d.epoch === 1) {
      this.version = d.protocol_version!;
      this.#reinit();
    } else if (op === DaveOpcode.PrepareTransition) {
      if (d.transition_id !== 0)
        this.queue.push(() => this.handle.receive(DaveOpcode.TransitionReady, d.transition_id));
      else this.executed.push(0);
      if (d.protocol_version === 0) this.version = 0;
    } else if (op === DaveOpcode.ExecuteTransition) this.executed.push(d.transition_id!);
  }

  #binary(op: number, payload: Buffer): void {
    const session = this.session;
    if (!session) return;
    if (op === DaveOpcode.ExternalSender) session.setExternalSender(payload);
    else if (op === DaveOpcode.Proposals) {
      const { commit, welcome } = session.processProposals(payload[0]!, payload.subarray(1));
      if (commit) {
        const cw = welcome ? Buffer.concat([commit, welcome]) : commit;
        this.queue.push(() => this.handle.receive(DaveOpcode.CommitWelcome, cw));
      }
    } else if (op === DaveOpcode.AnnounceCommitTransition || op === DaveOpcode.Welcome) {
      const id = payload.readUInt16BE(0);
      if (op === DaveOpcode.Welcome) {
        this.welcomeSecrets.push(splitWelcome(payload.subarray(2)).secrets.length);
        session.processWelcome(payload.subarray(2));
      } else session.processCommit(payload.subarray(2));
      this.queue.push(() => this.handle.receive(DaveOpcode.TransitionReady, id));
    }
  }
}

class Call {
  public readonly queue: (() => void)[] = [];
  public readonly events: DaveEvent[] = [];
  public readonly group = new DaveGroup(CHANNEL, {
    enabled: true,
    transitionTimeout: 60_000,
    sender,
    onEvent: (e) => this.events.push(e),
  });

  public join(userId: string, maxDaveVersion = 1): Client {
    const client = new Client(userId, maxDaveVersion, this.queue);
    client.handle = this.group.join(client);
    client.describe();
    this.run();
    return client;
  }

  public leave(client: Client): void {
    client.handle.leave();
    this.run();
  }

  /** Delivers every queued message (in order, as a WebSocket would) until nothing is left. */
  public run(): void {
    for (let i = 0; i < 10_000 && this.queue.length > 0; i++) this.queue.shift()!();
    expect(this.queue).toHaveLength(0);
  }
}

/** `from` encrypts an Opus frame; each of `to` decrypts it back. */
function expectMediaFlows(from: Client, to: Client[]): void {
  const sealed = from.session!.encryptOpus(OPUS);
  expect(sealed.subarray(-2)).toEqual(Buffer.from([0xfa, 0xfa]));
  expect(sealed.includes(OPUS)).toBe(false);
  for (const c of to) expect(c.session!.decrypt(from.userId, 0, sealed)).toEqual(OPUS);
}

let call: Call;
afterEach(() => call?.group.close());

describe('DaveGroup with davey clients', () => {
  it('forms the group when the second member arrives, then follows joins and leaves across epochs', () => {
    call = new Call();
    const a = call.join('1001');
    expect(call.group.epoch).toBe(0);
    const b = call.join('1002');
    expect(call.group.epoch).toBe(1);
    expect(a.session!.epoch).toBe(1n);
    expect(b.session!.epoch).toBe(1n);
    expect(call.events.some((e) => e.type === 'execute' && e.epoch === 1)).toBe(true);
    expectMediaFlows(a, [b]);
    expectMediaFlows(b, [a]);

    const c = call.join('1003');
    expect(call.group.epoch).toBe(2);
    expect(c.session!.getUserIds().sort()).toEqual(['1001', '1002', '1003']);
    expect(c.welcomeSecrets).toEqual([1]);
    expectMediaFlows(c, [a, b]);

    call.leave(a);
    expect(call.group.epoch).toBe(3);
    expect(b.session!.getUserIds().sort()).toEqual(['1002', '1003']);
    expectMediaFlows(b, [c]);
    expect(() => a.session!.decrypt('1002', 0, b.session!.encryptOpus(OPUS))).toThrow();

    // Down to one member: the group is dropped, and the next joiner creates a new one with it.
    call.leave(b);
    expect(call.events.at(-1)).toMatchObject({ type: 'reset', reason: 'sole member' });
    expect(call.group.epoch).toBe(0);
    expect(c.executed.at(-1)).toBe(0);
    const d = call.join('1004');
    expect(call.group.epoch).toBe(1);
    expectMediaFlows(d, [c]);
    expectMediaFlows(c, [d]);
  });

  it('downgrades to version 0 for a member without DAVE, and upgrades with a new group when it leaves', () => {
    call = new Call();
    const a = call.join('2001');
    const b = call.join('2002');
    expect(call.group.epoch).toBe(1);
    const legacy = call.join('2003', 0);
    expect(legacy.version).toBe(0);
    expect(call.group.version).toBe(0);
    expect(a.version).toBe(0);
    const downgrade = call.events.find((e) => e.type === 'version' && e.version === 0);
    expect(downgrade).toBeDefined();
    expect(a.executed).toContain((downgrade as { transitionId: number }).transitionId);

    call.leave(legacy);
    expect(call.group.version).toBe(1);
    expect(call.group.epoch).toBe(1);
    expect(a.version).toBe(1);
    expectMediaFlows(a, [b]);
  });

  it('recovers a member that reports an invalid commit: removed, re-added, keys agree again', () => {
    call = new Call();
    const a = call.join('3001');
    const b = call.join('3002');
    const c = call.join('3003');
    expect(call.group.epoch).toBe(2);
    c.handle.receive(DaveOpcode.InvalidCommitWelcome, 2);
    c.session!.reinit(1, c.userId, CHANNEL);
    c.handle.receive(DaveOpcode.KeyPackage, c.session!.getSerializedKeyPackage());
    call.run();
    expect(call.group.leaves.filter((l) => l !== null).sort()).toEqual(['3001', '3002', '3003']);
    expectMediaFlows(c, [a, b]);
    expectMediaFlows(a, [b, c]);
  });

  it('refuses a key package whose credential is another user, and ignores a commit for a past epoch', () => {
    call = new Call();
    const a = call.join('4001');
    const b = call.join('4002');
    const other = new Davey.DAVESession(1, '4999', CHANNEL);
    expect(a.handle.receive(DaveOpcode.KeyPackage, other.getSerializedKeyPackage())).toMatch(/credential/);
    expect(a.handle.receive(DaveOpcode.KeyPackage, Buffer.from([0, 1, 0]))).toMatch(/truncated|version|ciphersuite/);
    // A commit for epoch 0 (made by a group of two other sessions) once the call is at epoch 1: not relayed.
    const epoch = call.group.epoch;
    const x = new Davey.DAVESession(1, '4001', CHANNEL);
    const y = new Davey.DAVESession(1, '4002', CHANNEL);
    x.setExternalSender(sender.serialized);
    const add = sender.proposeAdd(credentialIdentity(CHANNEL)!, 0n, y.getSerializedKeyPackage());
    const { commit, welcome } = x.processProposals(0, proposalsAppend([add.message]).subarray(1), ['4002']);
    expect(a.handle.receive(DaveOpcode.CommitWelcome, Buffer.concat([commit!, welcome!]))).toBeNull();
    call.run();
    expect(call.group.epoch).toBe(epoch);
    expect(call.events.at(-1)).toMatchObject({
      type: 'ignored',
      userId: '4001',
      reason: expect.stringMatching(/epoch 0/),
    });
    expect(b.session!.epoch).toBe(1n);
  });
});
