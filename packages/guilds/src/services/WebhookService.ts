import type { CommunityContext } from '../community/CommunityContext.js';

/** Channel webhooks. OWNED BY A HELPER: skeleton only. */
export class WebhookService {
  constructor(private readonly ctx: CommunityContext) {
    void this.ctx;
  }
}
