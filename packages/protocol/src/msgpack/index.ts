// `@concord/protocol/msgpack`: the MessagePack codec with its decode limits. `encodings.msgpack` in the main entry is
// `msgpackEncoding` (default limits); `createMsgpackEncoding` makes one with other limits.
export { createMsgpackEncoding, type MsgpackOptions, msgpackEncoding } from './msgpack.js';
