import type { Awaitable } from './types.js';

/** Whether a pluggable hook answered asynchronously (every hook may be sync or async). */
export function isThenable<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}
