import type { IncomingMessage } from 'node:http';
import { quoteUnsafeIntegers } from '@concord/protocol/json';
import { HttpError, invalidFormBody } from './HttpError.js';

export interface BodyLimits {
  /**
   * Largest JSON body, in bytes. Discord's JSON bodies are small (a message is 2,000 characters plus a few fields);
   * its 25 MiB applies to attachments, which come as multipart/form-data, and this server does not take those.
   */
  maxJsonBytes: number;
  /** How long a body may take to arrive once its headers are in (ms); a slower one is answered 408. */
  timeoutMs: number;
}

export const defaultBodyLimits = { maxJsonBytes: 64 * 1024, timeoutMs: 10_000 } as const satisfies BodyLimits;

/** The client went away before its body was complete: there is nobody to answer. */
export class RequestAbortedError extends Error {
  readonly code = 'REQUEST_ABORTED';
}

// Refusals before the whole body is read close the connection: the rest of the body is not worth reading to keep it.
const CLOSE = { Connection: 'close' };

/** Whether the request announces a body (a non-zero Content-Length or a Transfer-Encoding). */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/**
 * The JSON body of a request, `{}` when there is none. The media type is checked and the declared length compared
 * with the cap before a byte is read; reading stops at the cap and at the deadline, and nothing beyond the cap is
 * kept. Bad input becomes Discord's error object: 50109 for bytes that are not JSON (invalid UTF-8 included), 50035
 * for a body of another type, 413/40005 past the cap, 408 past the deadline.
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  if (!declaresBody(req)) return {};
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    const refusal = invalidFormBody(
      '',
      'CONTENT_TYPE_INVALID',
      type === 'multipart/form-data'
        ? 'Attachments are not supported: send the message as application/json.'
        : 'Expected application/json.',
    );
    throw new HttpError(400, refusal.discordCode, refusal.message, refusal.errors, CLOSE);
  }
  if (Number(req.headers['content-length'] ?? 0) > limits.maxJsonBytes) throw tooLarge();
  const bytes = await readCapped(req, limits);
  if (bytes.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // Ids sent as JSON numbers (discord.py does) stay exact beyond 2^53: such integers become decimal strings.
    return JSON.parse(quoteUnsafeIntegers(text));
  } catch {
    // V8's JSON.parse is iterative, so nesting as deep as the cap allows costs time linear in the size, not stack.
    throw new HttpError(400, 50109, 'The request body contains invalid JSON.');
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, 40005, 'Request entity too large', undefined, CLOSE);
}

function readCapped(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  if (req.destroyed) {
    return Promise.reject(new RequestAbortedError('The client closed the request before its body was read'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      if (!error) {
        resolve(Buffer.concat(chunks, size));
        return;
      }
      // A flowing stream without a 'data' listener drops what still arrives, so the rest of the body is discarded
      // (not buffered) until the refusal has been sent and the connection closes.
      chunks.length = 0;
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxJsonBytes) settle(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => settle(null);
    const onClose = () => settle(new RequestAbortedError('The client closed the request before its body was complete'));
    const timer = setTimeout(
      () => settle(new HttpError(408, 0, '408: Request Timeout', undefined, CLOSE)),
      limits.timeoutMs,
    );
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.once('error', onClose);
  });
}
