import { GatewayClientError, GatewayRateLimitError } from '../GatewayClientError.js';
import type { GuildMembersResult } from '../types.js';

interface MemberCollector {
  guildId: string;
  members: unknown[];
  notFound: string[];
  presences: unknown[];
  seen: Set<number>;
  timer: ReturnType<typeof setTimeout>;
  resolve: (result: GuildMembersResult) => void;
  reject: (error: Error) => void;
}

/**
 * The pending op 8 requests of a connection: each GUILD_MEMBERS_CHUNK answer is matched by nonce and collected
 * until all `chunk_count` chunks came (in any order, duplicates ignored), a RATE_LIMITED answer, a timeout or a close.
 */
export class GuildMemberRequests {
  readonly #collectors = new Map<string, MemberCollector>();
  readonly #random: () => number;
  #counter = 0;

  constructor(random: () => number) {
    this.#random = random;
  }

  /** A fresh nonce (at most 32 characters, the gateway's limit). */
  nextNonce(): string {
    return `${Date.now().toString(36)}${(this.#counter++).toString(36)}${Math.floor(this.#random() * 1e8).toString(36)}`.slice(
      0,
      32,
    );
  }

  /** Starts collecting the answers to `nonce`; rejects with `TIMEOUT` when they are not all in within `timeout` ms. */
  collect<M, P>(nonce: string, guildId: string, timeout: number): Promise<GuildMembersResult<M, P>> {
    return new Promise<GuildMembersResult<M, P>>((resolve, reject) => {
      const collector: MemberCollector = {
        guildId,
        members: [],
        notFound: [],
        presences: [],
        seen: new Set(),
        timer: setTimeout(() => {
          this.#finish(
            nonce,
            collector,
            new GatewayClientError('TIMEOUT', `member request ${nonce} timed out after ${timeout} ms`),
          );
        }, timeout),
        resolve: resolve as (result: GuildMembersResult) => void,
        reject,
      };
      this.#collectors.set(nonce, collector);
    });
  }

  /** A GUILD_MEMBERS_CHUNK or RATE_LIMITED dispatch (others are not ours). */
  onAnswer(t: 'GUILD_MEMBERS_CHUNK' | 'RATE_LIMITED', data: unknown): void {
    const d = data as Record<string, unknown> | null;
    if (t === 'RATE_LIMITED') {
      const meta = d?.meta as { nonce?: string } | undefined;
      const collector = meta?.nonce === undefined ? undefined : this.#collectors.get(meta.nonce);
      if (collector && meta?.nonce !== undefined) {
        this.#finish(
          meta.nonce,
          collector,
          new GatewayRateLimitError(Number(d?.opcode ?? 8), Number(d?.retry_after ?? 0)),
        );
      }
      return;
    }
    const nonce = d?.nonce;
    if (typeof nonce !== 'string') return;
    const collector = this.#collectors.get(nonce);
    if (!collector) return;
    const index = Number(d?.chunk_index ?? 0);
    const count = Number(d?.chunk_count ?? 1);
    if (collector.seen.has(index)) return;
    collector.seen.add(index);
    if (Array.isArray(d?.members)) collector.members.push(...d.members);
    if (Array.isArray(d?.not_found)) collector.notFound.push(...(d.not_found as string[]).map(String));
    if (Array.isArray(d?.presences)) collector.presences.push(...d.presences);
    if (collector.seen.size >= count) {
      this.#finish(nonce, collector, null, {
        guildId: collector.guildId,
        nonce,
        members: collector.members,
        notFound: collector.notFound,
        presences: collector.presences,
        chunkCount: count,
      });
    }
  }

  /** Rejects one request (e.g. its op 8 could not be sent). */
  fail(nonce: string, error: Error): void {
    const collector = this.#collectors.get(nonce);
    if (collector) this.#finish(nonce, collector, error);
  }

  /** Rejects every pending request (destroy, fatal close). */
  failAll(error: Error): void {
    for (const [nonce, collector] of this.#collectors) this.#finish(nonce, collector, error);
  }

  #finish(nonce: string, collector: MemberCollector, error: Error | null, result?: GuildMembersResult): void {
    clearTimeout(collector.timer);
    this.#collectors.delete(nonce);
    if (error) collector.reject(error);
    else collector.resolve(result as GuildMembersResult);
  }
}
