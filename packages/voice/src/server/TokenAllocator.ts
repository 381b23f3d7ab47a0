import { randomBytes } from 'node:crypto';
import type { VoiceAllocationRequest } from './VoiceGatewayContract.js';

/** A token `TokenAllocator` issued: who it admits, where, and until when. */
export interface IssuedVoiceToken extends VoiceAllocationRequest {
  token: string;
  expiresAt: number;
}

/**
 * Issues the voice tokens that go into VOICE_SERVER_UPDATE and checks them at Identify. A token stays valid for its
 * TTL so that a client may reconnect with a fresh Identify; resuming is tied to the live session instead.
 */
export class TokenAllocator {
  private readonly byToken = new Map<string, IssuedVoiceToken>();

  public constructor(private readonly ttlMs: number) {}

  public issue(request: VoiceAllocationRequest, now = Date.now()): IssuedVoiceToken {
    this.sweep(now);
    const allocation = { ...request, token: randomBytes(16).toString('hex'), expiresAt: now + this.ttlMs };
    this.byToken.set(allocation.token, allocation);
    return allocation;
  }

  /** The allocation behind `token` if it exists, has not expired, and matches the identifying user. */
  public verify(
    token: string,
    guildId: string,
    userId: string,
    sessionId: string,
    now = Date.now(),
  ): IssuedVoiceToken | null {
    const allocation = this.byToken.get(token);
    if (!allocation) return null;
    if (allocation.expiresAt <= now) {
      this.byToken.delete(token);
      return null;
    }
    if (allocation.guildId !== guildId || allocation.userId !== userId || allocation.sessionId !== sessionId)
      return null;
    return allocation;
  }

  /** The guild a live token was issued for, or null (lets Identify tell "wrong server" from "bad token"). */
  public guildOf(token: string, now = Date.now()): string | null {
    const allocation = this.byToken.get(token);
    return allocation && allocation.expiresAt > now ? allocation.guildId : null;
  }

  public revoke(token: string): void {
    this.byToken.delete(token);
  }

  /**
   * Drops expired tokens. With one TTL, the Map's insertion order is expiry order, so the walk stops at the first live
   * token: amortised O(1) per issue (walking every live token on every issue made 30,000 live tokens cost ~90 s). A
   * clock stepping back only delays a sweep; `verify` refuses expired tokens anyway.
   */
  private sweep(now: number): void {
    for (const [token, allocation] of this.byToken) {
      if (allocation.expiresAt > now) return;
      this.byToken.delete(token);
    }
  }
}
