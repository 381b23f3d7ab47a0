// `@concord/storage-adapters/kit`: what the adapters in this package are built from, for writing another one: id and
// bucket arithmetic, the bucket walk behind `list()`, and the argument checks every store applies the same way.
export {
  bucketOfId,
  checkId,
  firstIdOfBucket,
  fromSortable,
  idTimeOffset,
  isIdString,
  lastIdOfBucket,
  maxBucket,
  parseId,
  toSortable,
  validateBucketMs,
} from '../ids.js';
export * from '../listWalk.js';
export {
  applyPatch,
  type Cursor,
  checkBucketArgs,
  type ParsedListQuery,
  parseBulkIds,
  parseLimit,
  parseListQuery,
  toTombstone,
  type ValidationOptions,
  validateNewMessage,
  validatePatch,
  validateStoredMessage,
} from '../validation.js';
