import {
  CommunityError,
  EmptyMessageError,
  MissingAccessError,
  MissingPermissionsError,
  UnknownEntityError,
} from '@concord/guilds';
import { BlobContentTypeError, BlobTooLargeError } from '@concord/storage-adapters/blobs';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../src/errors/RateLimitedError.js';
import { toRestError } from '../src/errors/toRestError.js';

const answer = (error: unknown) => {
  const { error: refusal, internal } = toRestError(error);
  return { status: refusal.status, body: refusal.body(), internal };
};

describe('toRestError', () => {
  it('maps the community errors by their Discord code and status', () => {
    expect(answer(new MissingAccessError())).toEqual({
      status: 403,
      body: { code: 50001, message: 'Missing Access' },
      internal: false,
    });
    expect(answer(new MissingPermissionsError(8n)).status).toBe(403);
    expect(answer(new MissingPermissionsError(8n)).body.code).toBe(50013);
    expect(answer(new UnknownEntityError('role'))).toEqual({
      status: 404,
      body: { code: 10011, message: 'Unknown Role' },
      internal: false,
    });
    expect(answer(new EmptyMessageError()).body).toEqual({ code: 50006, message: 'Cannot send an empty message' });
    expect(answer(new CommunityError('maxRoles'))).toMatchObject({ status: 400, body: { code: 30005 } });
  });

  it('answers a 429 community error (slowmode) in the 429 shape, with its code', () => {
    const { error } = toRestError(new CommunityError('slowmode'));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.body()).toEqual({
      message: 'This action cannot be performed due to slowmode rate limit.',
      retry_after: 1,
      global: false,
      code: 20016,
    });
    expect(error.headers['Retry-After']).toBe('1');
  });

  it('maps blob store refusals and framework errors, and hides everything else', () => {
    expect(answer(new BlobTooLargeError(10))).toMatchObject({ status: 413, body: { code: 40005 } });
    expect(answer(new BlobContentTypeError('no'))).toMatchObject({ status: 400, body: { code: 50035 } });
    const fastify = Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 });
    expect(answer(fastify)).toEqual({ status: 400, body: { code: 0, message: '400: Bad Request' }, internal: false });
    const unavailable = Object.assign(new Error('db down at 10.0.0.3'), { code: 'UNAVAILABLE' });
    expect(answer(unavailable)).toEqual({
      status: 503,
      body: { code: 0, message: '503: Service Unavailable' },
      internal: true,
    });
    expect(answer(new TypeError('x is undefined'))).toEqual({
      status: 500,
      body: { code: 0, message: '500: Internal Server Error' },
      internal: true,
    });
    expect(answer('a string').status).toBe(500);
    expect(answer(null).status).toBe(500);
  });
});
