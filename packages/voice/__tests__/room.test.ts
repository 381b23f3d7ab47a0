// Room and Member without sockets: the signalling between members, and the close cascade (room → members → links).
import { VoiceOpcode } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import type { MemberLink } from '../src/server/Member.js';
import { Room } from '../src/server/Room.js';
import { Sfu } from '../src/server/Sfu.js';

class FakeLink implements MemberLink {
  public readonly sent: { op: number; d: Record<string, unknown>; seq?: number }[] = [];
  public dropped: { code: number; reason: string } | null = null;
  public constructor(public readonly version = 8) {}
  public get writable(): boolean {
    return this.dropped === null;
  }
  public sendText(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  public drop(code: number, reason: string): void {
    this.dropped = { code, reason };
  }
  public ops(): number[] {
    return this.sent.map((m) => m.op);
  }
}

function join(room: Room, userId: string, ssrc: number, link = new FakeLink()) {
  const member = room.addMember({
    userId,
    sessionId: `s-${userId}`,
    token: `t-${userId}`,
    ssrc,
    link,
    mixed: false,
    ready: { ssrc },
  });
  return { member, link };
}

describe('Room', () => {
  it('greets a newcomer with Ready, who is here and their SSRCs, and tells the others', () => {
    const sfu = new Sfu(() => {});
    const room = new Room('g', 'c', sfu);
    const a = join(room, 'a', 1);
    a.member.setSpeaking(1);
    const b = join(room, 'b', 2);
    expect(b.link.ops()).toEqual([VoiceOpcode.Ready, VoiceOpcode.ClientsConnect, VoiceOpcode.Speaking]);
    expect(b.link.sent[2]!.d).toEqual({ speaking: 1, ssrc: 1, user_id: 'a' });
    expect(a.link.sent.at(-1)).toMatchObject({ op: VoiceOpcode.ClientsConnect, d: { user_ids: ['b'] } });
    // v8: every message is numbered, per member.
    expect(b.link.sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(sfu.members(room.key).size).toBe(2);
  });

  it('relays Speaking to the others only', () => {
    const room = new Room('g', 'c', new Sfu(() => {}));
    const a = join(room, 'a', 1);
    const b = join(room, 'b', 2);
    const before = a.link.sent.length;
    a.member.setSpeaking(5);
    expect(a.link.sent.length).toBe(before);
    expect(b.link.sent.at(-1)).toMatchObject({ op: VoiceOpcode.Speaking, d: { speaking: 5, ssrc: 1, user_id: 'a' } });
  });

  it('a member that ends leaves the Sfu, closes its link and is announced; the last one closes the room', () => {
    const sfu = new Sfu(() => {});
    const room = new Room('g', 'c', sfu);
    const a = join(room, 'a', 1);
    const b = join(room, 'b', 2);
    const left: string[] = [];
    let closed = 0;
    room.on('memberLeave', (m, reason) => left.push(`${m.userId}:${reason}`));
    room.on('close', () => closed++);
    a.member.close(4014, 'kicked');
    expect(a.link.dropped).toEqual({ code: 4014, reason: 'kicked' });
    expect(b.link.sent.at(-1)).toMatchObject({ op: VoiceOpcode.ClientDisconnect, d: { user_id: 'a' } });
    expect(sfu.hasSsrc(1)).toBe(false);
    expect(room.closed).toBe(false);
    b.member.close(null, 'left');
    expect(b.link.dropped).toBeNull();
    expect(left).toEqual(['a:kicked', 'b:left']);
    expect(room.closed).toBe(true);
    expect(closed).toBe(1);
  });

  it('closing a room closes every member with the code', () => {
    const room = new Room('g', 'c', new Sfu(() => {}));
    const members = [join(room, 'a', 1), join(room, 'b', 2), join(room, 'c', 3)];
    room.close(4022, 'call terminated');
    for (const { member, link } of members) {
      expect(member.closed).toBe(true);
      expect(link.dropped).toEqual({ code: 4022, reason: 'call terminated' });
    }
    expect(room.size).toBe(0);
    expect(() => join(room, 'd', 4)).toThrow();
  });

  it('a resumed member gets (v8) what it did not acknowledge, on the new link; the old link is dropped', () => {
    const room = new Room('g', 'c', new Sfu(() => {}));
    const a = join(room, 'a', 1);
    join(room, 'b', 2);
    join(room, 'c', 3);
    // a got Ready (1), then Clients Connect for b (2) and for c (3).
    a.member.acknowledge(1);
    const next = new FakeLink();
    a.member.resume(next, 2);
    expect(a.link.dropped).toEqual({ code: 1000, reason: 'resumed elsewhere' });
    expect(next.sent.map((m) => m.seq)).toEqual([3]);
  });
});
