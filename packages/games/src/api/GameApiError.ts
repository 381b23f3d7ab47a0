/** A refusal of the game API, answered as `{ code, message }` with `status`. */
export class GameApiError extends Error {
  override readonly name = 'GameApiError';
  readonly status: number;
  readonly code: string | number;

  constructor(status: number, code: string | number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}
