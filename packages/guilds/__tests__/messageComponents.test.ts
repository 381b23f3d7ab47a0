import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, seedGuild } from './communityHarness.js';

/** Components and flags on `POST/PATCH /channels/{id}/messages` (MessageService): bots send components, users not. */

let h: Harness;
let s: Awaited<ReturnType<typeof seedGuild>>;
const bot = '2000';
const components = [
  {
    type: 1,
    components: [
      { type: 2, style: 1, custom_id: 'yes', label: 'Yes' },
      { type: 2, style: 5, url: 'https://example.com', label: 'Docs' },
    ],
  },
];

beforeEach(async () => {
  h = await createHarness();
  s = await seedGuild(h);
  await h.community.users.ensure({ id: bot, username: 'helper', bot: true });
  await h.community.invites.accept(bot, s.invite.code);
});

describe('message components and flags', () => {
  it('a bot sends and edits components; they are stored and dispatched', async () => {
    const { community } = h;
    const sent = await community.messages.create(bot, s.general.id, { components });
    // Served with the ids Discord gives them.
    const [row] = components;
    const [yes, docs] = row!.components;
    const numbered = [
      {
        ...row,
        id: 1,
        components: [
          { ...yes, id: 2 },
          { ...docs, id: 3 },
        ],
      },
    ];
    expect(sent).toMatchObject({ content: '', components: numbered });
    expect(h.gateway.events('MESSAGE_CREATE').at(-1)?.data).toMatchObject({ components: numbered });
    const edited = await community.messages.edit(bot, s.general.id, sent.id, {
      components: [{ ...row, components: [yes] }],
    });
    expect(edited.components).toEqual([{ ...row, id: 1, components: [{ ...yes, id: 2 }] }]);
    expect((await community.messages.get(s.owner, s.general.id, sent.id)).components).toEqual(edited.components);
  });

  it("refuses a bot's invalid components with 50035 and stores nothing", async () => {
    const { community } = h;
    const before = (await community.messages.list(s.owner, s.general.id)).length;
    await expect(
      community.messages.create(bot, s.general.id, {
        components: [{ type: 1, components: [{ type: 2, style: 1, label: 'no id' }] }],
      }),
    ).rejects.toMatchObject({
      code: 50035,
      body: {
        errors: {
          components: {
            '0': { components: { '0': { custom_id: { _errors: [{ code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED' }] } } } },
          },
        },
      },
    });
    expect((await community.messages.list(s.owner, s.general.id)).length).toBe(before);
  });

  it("refuses a user's components (create and edit)", async () => {
    const { community } = h;
    const refused = {
      code: 50035,
      body: { errors: { components: { _errors: [{ code: 'MESSAGE_COMPONENTS_NOT_ALLOWED' }] } } },
    };
    await expect(community.messages.create(s.alice, s.general.id, { content: 'hi', components })).rejects.toMatchObject(
      refused,
    );
    const message = await community.messages.create(s.alice, s.general.id, { content: 'hi' });
    await expect(community.messages.edit(s.alice, s.general.id, message.id, { components })).rejects.toMatchObject(
      refused,
    );
  });

  it('stores SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS, never EPHEMERAL; an edit toggles SUPPRESS_EMBEDS only', async () => {
    const { community } = h;
    const message = await community.messages.create(s.alice, s.general.id, { content: 'hi', flags: 4 | 64 | 4096 | 1 });
    expect(message.flags).toBe(4 | 4096);
    const edited = await community.messages.edit(s.alice, s.general.id, message.id, { content: 'hi', flags: 0 });
    expect(edited.flags).toBe(4096);
    const again = await community.messages.edit(s.alice, s.general.id, message.id, {
      content: 'x',
      flags: 4 | 4096 | 64,
    });
    expect(again.flags).toBe(4 | 4096);
  });
});
