import { describe, expect, it } from 'vitest';
import { TextSafety } from '../src/index.js';
import { createGame, GAME_GUILD, SERVICE_USER } from './gameHarness.js';

describe('reports', () => {
  it('keep the messages pointed at and the target’s latest, what the filter caught, and survive deletion', async () => {
    const textSafety = new TextSafety({ rateLimit: false });
    const { community, host, players } = await createGame(2, { textSafety });
    const [reporter, target] = players as [string, string];
    const general = (await community.channels.list(SERVICE_USER, GAME_GUILD)).find((c) => c.name === 'general')!;
    const first = await community.messages.create(target, general.id, { content: 'you are trash' });
    const masked = await community.messages.create(target, general.id, { content: 'what the fuck' });
    await community.messages.create(reporter, general.id, { content: 'please stop' });
    await community.messages.delete(target, general.id, first.id);
    const report = await host.reports!.file({
      reporterId: reporter,
      targetId: target,
      reason: 'harassment',
      channelId: general.id,
      messageIds: [first.id, masked.id, '1'],
    });
    // The deleted one is gone from the store before the report: what the report has is what could be read.
    expect(report.evidence.messages.map((m) => [m.id, m.authorId, m.content])).toEqual([
      [masked.id, target, 'what the ****'],
    ]);
    expect(report.evidence.filtered).toMatchObject([
      { action: 'mask', content: 'what the fuck', messageId: masked.id },
    ]);
    await community.messages.delete(target, general.id, masked.id);
    expect((await host.reports!.get(report.id))?.evidence.messages[0]?.content).toBe('what the ****');
  });

  it('list newest first, by target and status; resolve records who decided what', async () => {
    const { host, players } = await createGame(3);
    const [a, b, c] = players as [string, string, string];
    const r1 = await host.reports!.file({ reporterId: a, targetId: b, reason: 'cheating' });
    const r2 = await host.reports!.file({ reporterId: c, targetId: b, reason: 'griefing' });
    const r3 = await host.reports!.file({ reporterId: b, targetId: a, reason: 'spam' });
    expect((await host.reports!.list()).map((r) => r.id)).toEqual([r3.id, r2.id, r1.id]);
    expect((await host.reports!.list({ targetId: b })).map((r) => r.id)).toEqual([r2.id, r1.id]);
    const resolved = await host.reports!.resolve(r1.id, { by: 'mod-1', outcome: 'banned 7 days' });
    expect(resolved).toMatchObject({ status: 'resolved', resolution: { by: 'mod-1', outcome: 'banned 7 days' } });
    expect((await host.reports!.list({ status: 'open' })).map((r) => r.id)).toEqual([r3.id, r2.id]);
    expect((await host.reports!.list({ targetId: b, status: 'resolved' })).map((r) => r.id)).toEqual([r1.id]);
    await expect(host.reports!.resolve('42', { by: 'x', outcome: 'y' })).rejects.toThrow(RangeError);
  });

  it('audio evidence only when asked for, from the source given', async () => {
    const asked: [string, number][] = [];
    const audio = {
      evidenceClip(userId: string, seconds: number) {
        asked.push([userId, seconds]);
        return { userId, from: 1000, to: 31_000, ogg: new Uint8Array([0x4f, 0x67, 0x67, 0x53]) };
      },
    };
    const { host, players } = await createGame(2, { audio });
    const [a, b] = players as [string, string];
    expect((await host.reports!.file({ reporterId: a, targetId: b, reason: 'mic spam' })).evidence.audio).toBeNull();
    const withAudio = await host.reports!.file({ reporterId: a, targetId: b, reason: 'mic spam', includeAudio: true });
    expect(withAudio.evidence.audio).toEqual({ from: 1000, to: 31_000, oggBase64: 'T2dnUw==' });
    expect(asked).toEqual([[b, 30]]);
  });
});
