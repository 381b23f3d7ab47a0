import { USER_PARTITION, type UserRecord } from '../model/records.js';
import type { CommunityRepository } from '../store/CommunityRepository.js';

/** User records by id, read through from the store and kept (users are small and read on every member and message). */
export class UserCache {
  readonly #users = new Map<string, UserRecord>();

  constructor(private readonly repo: CommunityRepository) {}

  peek(id: string): UserRecord | undefined {
    return this.#users.get(id);
  }

  async get(id: string): Promise<UserRecord | null> {
    const known = this.#users.get(id);
    if (known) return known;
    const stored = await this.repo.get('user', USER_PARTITION, id);
    if (stored) this.#users.set(id, stored);
    return stored;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, UserRecord>> {
    const out = new Map<string, UserRecord>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = this.#users.get(id);
      if (known) out.set(id, known);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += 1000) {
      for (const record of await this.repo.getMany('user', USER_PARTITION, missing.slice(i, i + 1000))) {
        this.#users.set(record.id, record.value);
        out.set(record.id, record.value);
      }
    }
    return out;
  }

  set(user: UserRecord): void {
    this.#users.set(user.id, user);
  }
}
