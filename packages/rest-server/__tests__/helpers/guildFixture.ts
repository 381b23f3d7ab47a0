import type { TestApp } from './createTestApp.js';

export interface GuildFixture {
  guildId: string;
  /** #general (text). */
  channelId: string;
  /** The "Voice Channels" category. */
  categoryId: string;
}

/** A guild owned by `owner` (Discord's "Create My Own" layout), with `members` joined through an invite. */
export async function guildFixture(t: TestApp, owner: string, members: string[] = []): Promise<GuildFixture> {
  const guild = await t.call(owner, 'POST', '/api/v10/guilds', { name: `${owner}'s guild` });
  if (guild.statusCode !== 201) throw new Error(`create guild: ${guild.statusCode} ${guild.body}`);
  const guildId = guild.json().id as string;
  const channels = (await t.call(owner, 'GET', `/api/v10/guilds/${guildId}/channels`)).json() as {
    id: string;
    type: number;
    name: string;
  }[];
  const channelId = channels.find((c) => c.type === 0)!.id;
  const categoryId = channels.find((c) => c.type === 4 && c.name === 'Voice Channels')!.id;
  if (members.length > 0) {
    const invite = await t.call(owner, 'POST', `/api/v10/channels/${channelId}/invites`, { max_uses: 0 });
    if (invite.statusCode !== 200) throw new Error(`invite: ${invite.statusCode} ${invite.body}`);
    for (const member of members) {
      const joined = await t.call(member, 'POST', `/api/v10/invites/${invite.json().code}`);
      if (joined.statusCode !== 200) throw new Error(`join: ${joined.statusCode} ${joined.body}`);
    }
  }
  return { guildId, channelId, categoryId };
}
