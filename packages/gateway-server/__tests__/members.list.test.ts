import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockList } from '../src/members/BlockList.js';
import { MemberList } from '../src/members/MemberList.js';
import type { MemberListItem, MemberListOp, MemberListUpdate } from '../src/members/MemberListOps.js';
import { serializeMember } from '../src/serialize/serializeMember.js';
import type { GuildMemberData, PresenceData, PresenceStatus, RoleData } from '../src/types.js';

const GUILD = '1';

function role(id: string, position: number, hoist: boolean): RoleData {
  return { id, name: `r${id}`, permissions: '0', position, hoist };
}

function member(id: string, username: string, roles: string[] = [], nick?: string): GuildMemberData {
  return { user: { id, username }, nick: nick ?? null, roles, joined_at: '2020-01-01T00:00:00.000Z' };
}

function presence(id: string, status: PresenceStatus): PresenceData {
  return { user: { id }, status, activities: [] };
}

/** Independent model: the full item list computed from scratch. */
function naiveItems(
  roles: RoleData[],
  members: Map<string, { member: GuildMemberData; presence: PresenceData | undefined }>,
  includeOffline = true,
): MemberListItem[] {
  const hoisted = roles
    .filter((r) => r.hoist)
    .sort((a, b) => b.position - a.position || Number(BigInt(a.id) - BigInt(b.id)));
  const groupIds = [...hoisted.map((r) => r.id), 'online', 'offline'];
  const rows = [...members.values()].flatMap(({ member: m, presence: p }) => {
    const online = p !== undefined && p.status !== 'offline' && p.status !== 'invisible';
    let g = online ? groupIds.length - 2 : groupIds.length - 1;
    if (online) {
      const idx = hoisted.findIndex((r) => m.roles.includes(r.id));
      if (idx >= 0) g = idx;
    } else if (!includeOffline) return [];
    const name = (m.nick ?? m.user.global_name ?? m.user.username).toLowerCase();
    const shown = p ?? { user: { id: m.user.id }, status: 'offline' as const, activities: [] };
    return [{ g, name, id: BigInt(m.user.id), item: { member: { ...serializeMember(m), presence: shown } } }];
  });
  rows.sort((a, b) => a.g - b.g || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : 1));
  const out: MemberListItem[] = [];
  groupIds.forEach((id, g) => {
    const inGroup = rows.filter((r) => r.g === g);
    if (inGroup.length === 0) return;
    out.push({ group: { id, count: inGroup.length } });
    for (const r of inGroup) out.push(r.item);
  });
  return out;
}

/** A client: a sparse array, with strict splice preconditions. */
function applyOps(client: (MemberListItem | undefined)[], ops: MemberListOp[]): void {
  for (const op of ops) {
    switch (op.op) {
      case 'SYNC':
        op.items.forEach((item, k) => {
          client[op.range[0] + k] = item;
        });
        break;
      case 'INVALIDATE':
        for (let i = op.range[0]; i <= op.range[1] && i < client.length; i++) client[i] = undefined;
        break;
      case 'UPDATE':
        client[op.index] = op.item;
        break;
      case 'INSERT':
        if (op.index > client.length) throw new Error(`INSERT at ${op.index} past length ${client.length}`);
        client.splice(op.index, 0, op.item);
        break;
      case 'DELETE':
        if (op.index >= client.length) throw new Error(`DELETE at ${op.index} past length ${client.length}`);
        client.splice(op.index, 1);
        break;
    }
  }
}

describe('BlockList', () => {
  it('keeps order and ranks through inserts and removes (small blocks)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 200 })), { maxLength: 400 }), (steps) => {
        const list = new BlockList<number>((a, b) => a - b, 4);
        const model: number[] = [];
        for (const [add, x] of steps) {
          if (add && !model.includes(x)) {
            const rank = list.insert(x);
            model.push(x);
            model.sort((a, b) => a - b);
            expect(rank).toBe(model.indexOf(x));
          } else {
            expect(list.remove(x)).toBe(model.indexOf(x));
            if (model.includes(x)) model.splice(model.indexOf(x), 1);
          }
        }
        expect([...list]).toEqual(model);
        expect(list.size).toBe(model.length);
        model.forEach((x, i) => {
          expect(list.rankOf(x)).toBe(i);
          expect(list.at(i)).toBe(x);
        });
        expect([...list.slice(2, 7)]).toEqual(model.slice(2, 7));
      }),
    );
  });
});

describe('MemberList', () => {
  const roles = [role('10', 1, true), role('11', 5, true), role('12', 3, false)];

  it('groups hoisted roles by position, then online, then offline, sorted by display name', () => {
    const list = new MemberList({ guildId: GUILD, roles });
    list.upsert(member('100', 'zed', ['10']), presence('100', 'online'));
    list.upsert(member('101', 'amy', ['10', '11']), presence('101', 'dnd'));
    list.upsert(member('102', 'bob', ['12']), presence('102', 'idle'));
    list.upsert(member('103', 'Carl', [], 'aaron'), presence('103', 'online'));
    list.upsert(member('104', 'dan', ['11']));
    list.upsert(member('105', 'eve', ['11']), presence('105', 'invisible'));
    const ids = list.items(0, 99).map((i) => ('group' in i ? `#${i.group.id}:${i.group.count}` : i.member.user.id));
    expect(ids).toEqual(['#11:1', '101', '#10:1', '100', '#online:2', '103', '102', '#offline:2', '104', '105']);
    expect(list.memberCount).toBe(6);
    expect(list.onlineCount).toBe(4);
    expect(list.groups()).toEqual([
      { id: '11', count: 1 },
      { id: '10', count: 1 },
      { id: 'online', count: 2 },
      { id: 'offline', count: 2 },
    ]);
  });

  it('answers a presence flip with DELETE/INSERT and header updates inside the window', () => {
    const list = new MemberList({ guildId: GUILD, roles: [] });
    list.upsert(member('1', 'a'), presence('1', 'online'));
    list.upsert(member('2', 'b'), presence('2', 'online'));
    list.upsert(member('3', 'c'));
    const sync = list.subscribe('s', [[0, 99]]);
    expect(sync).toHaveLength(1);
    const updates = list.setPresence(presence('2', 'offline'));
    expect(updates).toHaveLength(1);
    const ops = updates[0]!.ops.map((o) => [o.op, 'index' in o ? o.index : -1]);
    // [#online:2, a, b, #offline:1, c] → [#online:1, a, #offline:2, b, c]
    expect(ops).toEqual([
      ['DELETE', 2],
      ['UPDATE', 0],
      ['INSERT', 3],
      ['UPDATE', 2],
    ]);
    expect(list.payload(updates[0]!.ops)).toMatchObject({ id: 'everyone', member_count: 3, online_count: 1 });
  });

  it('sends nothing to a session whose window is before the change', () => {
    const list = new MemberList({ guildId: GUILD, roles: [] });
    for (let i = 0; i < 300; i++) list.upsert(member(String(1000 + i), `u${String(i).padStart(3, '0')}`));
    list.subscribe('top', [[0, 99]]);
    list.subscribe('mid', [[100, 199]]);
    const updates = list.upsert(member('1250', 'u250', [], 'u250x'));
    expect(updates.map((u) => u.sessionId)).toEqual([]);
    const moved = list.upsert(member('1050', 'u050', [], 'zzz'));
    expect(moved.map((u) => u.sessionId).sort()).toEqual(['mid', 'top']);
  });

  it('can hide offline members', () => {
    const list = new MemberList({ guildId: GUILD, roles: [], includeOffline: false });
    list.upsert(member('1', 'a'));
    list.upsert(member('2', 'b'), presence('2', 'online'));
    expect(list.length).toBe(2);
    expect(list.memberCount).toBe(2);
  });

  it('property: op streams reproduce the naive list on every watched index', () => {
    const ids = Array.from({ length: 40 }, (_, i) => String(i + 1));
    const idArb = fc.constantFrom(...ids);
    const nameArb = fc.constantFrom('a', 'b', 'B', 'c', 'ab', 'zz');
    const roleIds = ['50', '51', '52', '53'];
    const statusArb = fc.constantFrom<PresenceStatus | undefined>(
      'online',
      'idle',
      'dnd',
      'offline',
      'invisible',
      undefined,
    );
    const rangeArb = fc
      .tuple(fc.nat({ max: 6 }), fc.integer({ min: 1, max: 5 }))
      .map(([s, w]): [number, number] => [s * 5, s * 5 + w]);
    const upsertArb = fc.record({
      t: fc.constant('upsert' as const),
      id: idArb,
      name: nameArb,
      nick: fc.option(nameArb, { nil: undefined }),
      roles: fc.subarray(roleIds),
      status: statusArb,
    });
    const step = fc.oneof(
      upsertArb,
      fc.record({ t: fc.constant('presence' as const), id: idArb, status: statusArb }),
      fc.record({ t: fc.constant('remove' as const), id: idArb }),
      fc.record({
        t: fc.constant('subscribe' as const),
        session: fc.constantFrom('s1', 's2', 's3'),
        ranges: fc.array(rangeArb, { maxLength: 3 }),
      }),
      fc.record({
        t: fc.constant('roles' as const),
        hoist: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        positions: fc.array(fc.nat({ max: 3 }), { minLength: 4, maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(upsertArb, { maxLength: 40 }),
        fc.array(step, { maxLength: 60 }),
        (includeOffline, initial, steps) => {
          let roles = roleIds.map((id, i) => role(id, i, i % 2 === 0));
          const list = new MemberList({ guildId: GUILD, roles, includeOffline, maxRanges: 3, blockSize: 2 });
          const model = new Map<string, { member: GuildMemberData; presence: PresenceData | undefined }>();
          const clients = new Map<string, (MemberListItem | undefined)[]>();
          const windows = new Map<string, [number, number][]>();
          const deliver = (updates: MemberListUpdate[]) => {
            for (const u of updates) {
              const client = clients.get(u.sessionId);
              if (!client) throw new Error(`update for unknown session ${u.sessionId}`);
              applyOps(client, u.ops);
            }
          };
          for (const s of initial) {
            model.set(s.id, {
              member: member(s.id, s.name, s.roles, s.nick),
              presence: s.status && presence(s.id, s.status),
            });
          }
          list.load(model.values());
          for (const s of steps) {
            switch (s.t) {
              case 'upsert': {
                const m = member(s.id, s.name, s.roles, s.nick);
                const p = s.status && presence(s.id, s.status);
                const prev = model.get(s.id);
                model.set(s.id, { member: m, presence: p ?? prev?.presence });
                deliver(list.upsert(m, p));
                break;
              }
              case 'presence': {
                const p = presence(s.id, s.status ?? 'offline');
                const prev = model.get(s.id);
                if (prev) model.set(s.id, { member: prev.member, presence: p });
                deliver(list.setPresence(p));
                break;
              }
              case 'remove':
                model.delete(s.id);
                deliver(list.remove(s.id));
                break;
              case 'subscribe': {
                const client = clients.get(s.session) ?? [];
                clients.set(s.session, client);
                applyOps(client, list.subscribe(s.session, s.ranges));
                windows.set(s.session, s.ranges);
                break;
              }
              case 'roles':
                roles = roleIds.map((id, i) => role(id, s.positions[i]!, s.hoist[i]!));
                deliver(list.setRoles(roles));
                break;
            }
            const truth = naiveItems(roles, model, includeOffline);
            expect(list.length).toBe(truth.length);
            expect(list.items(0, truth.length)).toEqual(truth);
            for (const [session, ranges] of windows) {
              const client = clients.get(session)!;
              for (const [start, end] of ranges) {
                for (let i = start; i <= end && i < truth.length; i++)
                  expect(client[i], `${session}@${i}`).toEqual(truth[i]);
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);
});
