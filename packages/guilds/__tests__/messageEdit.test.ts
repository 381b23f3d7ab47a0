import { describe, expect, it } from 'vitest';
import { EmptyMessageError } from '../src/index.js';
import { createHarness, seedGuild } from './communityHarness.js';

// An edit is judged by the message it leaves (Discord's rule): a field the body leaves out keeps its value.

describe('editing a message', () => {
  it('takes an edit of flags alone (suppress embeds), and keeps the content', async () => {
    const h = await createHarness();
    const { alice, general } = await seedGuild(h);
    const m = await h.community.messages.create(alice, general.id, { content: 'see https://example.com' });
    const edited = await h.community.messages.edit(alice, general.id, m.id, { flags: 4 });
    expect(edited).toMatchObject({ content: 'see https://example.com', flags: 4 });
  });

  it('refuses an edit that would leave nothing (50006), and takes clearing the text of a message with an embed', async () => {
    const h = await createHarness();
    const { alice, general } = await seedGuild(h);
    const text = await h.community.messages.create(alice, general.id, { content: 'only text' });
    await expect(h.community.messages.edit(alice, general.id, text.id, { content: '' })).rejects.toBeInstanceOf(
      EmptyMessageError,
    );
    await expect(
      h.community.messages.edit(alice, general.id, text.id, { content: '   ', flags: 4 }),
    ).rejects.toBeInstanceOf(EmptyMessageError);
    const rich = await h.community.messages.create(alice, general.id, {
      content: 'text',
      embeds: [{ title: 'score' }],
    });
    const cleared = await h.community.messages.edit(alice, general.id, rich.id, { content: '' });
    expect(cleared).toMatchObject({ content: '', embeds: [{ title: 'score' }] });
    await expect(h.community.messages.edit(alice, general.id, rich.id, { embeds: [] })).rejects.toBeInstanceOf(
      EmptyMessageError,
    );
  });
});
