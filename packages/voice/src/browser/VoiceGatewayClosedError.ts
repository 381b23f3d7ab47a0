/** The voice gateway closed the connection (or it could not open): `closeCode` is the WebSocket close code. */
export class VoiceGatewayClosedError extends Error {
  override readonly name = 'VoiceGatewayClosedError';
  readonly code = 'VOICE_GATEWAY_CLOSED';
  constructor(
    readonly closeCode: number,
    options?: { cause?: unknown },
  ) {
    super(`the voice connection closed (${closeCode})`, options);
  }
}
