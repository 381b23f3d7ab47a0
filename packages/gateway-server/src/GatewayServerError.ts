export type GatewayServerErrorCode = 'INVALID_OPTION' | 'NOT_LISTENING' | 'CLOSED' | 'INVALID_BROKER_MESSAGE';

export class GatewayServerError extends Error {
  override readonly name = 'GatewayServerError';
  readonly code: GatewayServerErrorCode;
  constructor(code: GatewayServerErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
