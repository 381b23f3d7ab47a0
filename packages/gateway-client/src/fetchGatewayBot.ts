import { GatewayClientError } from './GatewayClientError.js';

export interface GatewayBotInfo {
  url: string;
  shards: number;
  session_start_limit: { total: number; remaining: number; reset_after: number; max_concurrency: number };
}

export interface FetchGatewayBotOptions {
  /** REST base including the version, e.g. `http://127.0.0.1:3000/api/v10`. */
  rest: string;
  token: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** `GET <rest>/gateway/bot` with `Authorization: Bot <token>`. Throws `GATEWAY_BOT_FAILED` on anything unusable. */
export async function fetchGatewayBot(options: FetchGatewayBotOptions): Promise<GatewayBotInfo> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = `${options.rest.replace(/\/+$/, '')}/gateway/bot`;
  const token = options.token.startsWith('Bot ') ? options.token : `Bot ${options.token}`;
  let body: unknown;
  try {
    const response = await doFetch(url, { headers: { authorization: token }, signal: options.signal ?? null });
    if (!response.ok) {
      throw new GatewayClientError('GATEWAY_BOT_FAILED', `GET ${url} answered ${response.status}`);
    }
    body = await response.json();
  } catch (error) {
    if (error instanceof GatewayClientError) throw error;
    throw new GatewayClientError('GATEWAY_BOT_FAILED', `GET ${url} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const info = body as Partial<GatewayBotInfo> | null;
  if (typeof info?.url !== 'string' || !/^wss?:\/\//.test(info.url)) {
    throw new GatewayClientError('GATEWAY_BOT_FAILED', `GET ${url}: no usable gateway url`);
  }
  const limit = info.session_start_limit;
  return {
    url: info.url,
    shards: Number.isInteger(info.shards) && (info.shards as number) > 0 ? (info.shards as number) : 1,
    session_start_limit: {
      total: limit?.total ?? 1000,
      remaining: limit?.remaining ?? 1000,
      reset_after: limit?.reset_after ?? 0,
      max_concurrency: Math.max(1, limit?.max_concurrency ?? 1),
    },
  };
}
