import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/open/index.js';

const message = (id: string) => ({
  id,
  channelId: '1200000000000000001',
  guildId: '1200000000000000000',
  authorId: '1200000000000000003',
  content: `message ${id}`,
  type: 0,
  flags: 0,
  extra: null,
});

async function useAll(storage: Awaited<ReturnType<typeof openStorage>>, id: string) {
  await storage.messages.create(message(id));
  await storage.entities.write([{ op: 'put', kind: 'user', partition: '0', id, value: { username: 'ada' } }]);
  await storage.blobs.put(`attachments/${id}.txt`, Buffer.from('hello'), { filename: 'a.txt' });
}

describe('openStorage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-open-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(':memory: keeps nothing, and removes its temporary blob folder on close', async () => {
    const storage = await openStorage(':memory:');
    expect(storage).toMatchObject({ kind: 'memory', location: ':memory:' });
    await useAll(storage, '1300000000000000000');
    expect((await storage.blobs.stat('attachments/1300000000000000000.txt'))?.size).toBe(5);
    await storage.close();
    const again = await openStorage(':memory:');
    expect(await again.entities.get('user', '0', '1300000000000000000')).toBeNull();
    await again.close();
  });

  it('a SQLite file (with or without `sqlite:`) keeps messages, entities and blobs (next to it) across reopening', async () => {
    const file = join(dir, 'nested', 'chat.db');
    const first = await openStorage(`sqlite:${file}`);
    expect(first).toMatchObject({ kind: 'sqlite', location: file });
    await useAll(first, '1300000000000000001');
    await first.close();
    expect(existsSync(join(dir, 'nested', 'blobs'))).toBe(true);

    const second = await openStorage(file);
    expect((await second.messages.get(message('1').channelId, '1300000000000000001'))?.content).toBe(
      'message 1300000000000000001',
    );
    expect(await second.entities.get('user', '0', '1300000000000000001')).toEqual({ username: 'ada' });
    expect((await second.blobs.stat('attachments/1300000000000000001.txt'))?.size).toBe(5);
    await second.close();
  });

  it('blobDirectory puts the blobs elsewhere', async () => {
    const blobDirectory = join(dir, 'elsewhere');
    const storage = await openStorage(':memory:', { blobDirectory });
    await useAll(storage, '1300000000000000002');
    await storage.close();
    expect(existsSync(blobDirectory)).toBe(true);
  });
});
