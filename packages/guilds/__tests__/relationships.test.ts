import { describe, expect, it } from 'vitest';
import { CommunityError, InvalidFormBodyError, UnknownEntityError } from '../src/index.js';
import { createHarness, seedGuild } from './communityHarness.js';

describe('blocks (relationships of type 2)', () => {
  it('block: listed, RELATIONSHIP_ADD to the blocker, idempotent; unblock: RELATIONSHIP_REMOVE, idempotent', async () => {
    const h = await createHarness();
    const { alice, bob } = await seedGuild(h);
    const { community, gateway } = h;
    await community.relationships.block(alice, bob, { type: 2 });
    await community.relationships.block(alice, bob, { type: 2 });
    expect(gateway.events('RELATIONSHIP_ADD')).toEqual([
      {
        event: 'RELATIONSHIP_ADD',
        data: expect.objectContaining({ id: bob, type: 2, user: expect.objectContaining({ id: bob }), nickname: null }),
        to: { userIds: [alice] },
      },
    ]);
    expect((await community.relationships.list(alice)).map((r) => [r.id, r.type])).toEqual([[bob, 2]]);
    expect(await community.relationships.list(bob)).toEqual([]);
    // Both ways for voice: alice does not hear bob, nor bob alice.
    expect([...(await community.relationships.muteSet(alice))]).toEqual([bob]);
    expect([...(await community.relationships.muteSet(bob))]).toEqual([alice]);
    await community.relationships.unblock(alice, bob);
    await community.relationships.unblock(alice, bob);
    expect(await community.relationships.muteSet(bob)).toEqual(new Set());
    expect(gateway.events('RELATIONSHIP_REMOVE').map((e) => [e.data, e.to])).toEqual([
      [{ id: bob, type: 2 }, { userIds: [alice] }],
    ]);
    expect(await community.relationships.list(alice)).toEqual([]);
  });

  it('refuses other types, oneself and unknown users', async () => {
    const h = await createHarness();
    const { alice } = await seedGuild(h);
    const r = h.community.relationships;
    await expect(r.block(alice, '1002', {})).rejects.toBeInstanceOf(InvalidFormBodyError);
    await expect(r.block(alice, '1002', { type: 1 })).rejects.toBeInstanceOf(InvalidFormBodyError);
    await expect(r.block(alice, alice, { type: 2 })).rejects.toBeInstanceOf(CommunityError);
    await expect(r.block(alice, '999999', { type: 2 })).rejects.toBeInstanceOf(UnknownEntityError);
  });

  it('a DM where either blocked the other is refused with 50007, both ways; unblocking lets it through again', async () => {
    const h = await createHarness();
    const { alice, bob, carol } = await seedGuild(h);
    const { community } = h;
    const dm = await community.dms.open(alice, { recipient_id: bob });
    await community.messages.create(bob, dm.id, { content: 'hi' });
    await community.relationships.block(alice, bob, { type: 2 });
    for (const from of [bob, alice]) {
      await expect(community.messages.create(from, dm.id, { content: 'hello?' })).rejects.toMatchObject({
        code: 50007,
        status: 403,
      });
    }
    // Others are unaffected.
    const other = await community.dms.open(carol, { recipient_id: bob });
    await community.messages.create(carol, other.id, { content: 'hey bob' });
    await community.relationships.unblock(alice, bob);
    await community.messages.create(bob, dm.id, { content: 'sorry' });
  });
});
