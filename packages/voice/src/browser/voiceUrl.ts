/**
 * The voice gateway's WebSocket URL for VOICE_SERVER_UPDATE's `endpoint` (host:port, or a ws(s):// URL). A bare
 * host:port gets `wss` when `secure` (default: the page itself was served over https, where a `ws` socket is refused).
 */
export function voiceUrl(endpoint: string, secure = globalThis.location?.protocol === 'https:'): string {
  if (/^wss?:\/\//.test(endpoint)) return `${endpoint.replace(/\/?(\?.*)?$/, '')}/?v=8`;
  return `${secure ? 'wss' : 'ws'}://${endpoint}/?v=8`;
}
