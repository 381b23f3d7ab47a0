import type { GatewayConnectionOptions } from '../GatewayConnectionOptions.js';

function defaultProperties(): { os: string; browser: string; device: string } {
  const proc = (globalThis as { process?: { platform?: string } }).process;
  const os = typeof proc?.platform === 'string' ? proc.platform : 'browser';
  return { os, browser: '@concord/gateway-client', device: '@concord/gateway-client' };
}

/** The token as the gateway wants it: without the REST `Bot ` prefix. */
export function gatewayToken(token: string): string {
  return token.startsWith('Bot ') ? token.slice(4) : token;
}

/** op 2 `d`, from the connection options (only the fields that are set). */
export function identifyPayload(o: GatewayConnectionOptions): Record<string, unknown> {
  const d: Record<string, unknown> = {
    token: gatewayToken(o.token),
    intents: o.intents,
    properties: o.properties ?? defaultProperties(),
  };
  if (o.shard) d.shard = o.shard;
  if (o.presence) d.presence = o.presence;
  if (o.largeThreshold !== undefined) d.large_threshold = o.largeThreshold;
  if (o.compression === 'payload') d.compress = true;
  return d;
}
