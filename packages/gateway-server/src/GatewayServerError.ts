export type GatewayServerErrorCode =
  | 'INVALID_OPTION'
  | 'NOT_LISTENING'
  | 'CLOSED'
  | 'INVALID_BROKER_MESSAGE'
  | 'MISSING_DEPENDENCY';

export class GatewayServerError extends Error {
  override readonly name = 'GatewayServerError';
  readonly code: GatewayServerErrorCode;
  constructor(code: GatewayServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
