// `@concord/protocol/json`: the JSON codec with its options. `encodings.json` in the main entry is the same codec with
// default limits; import from here to set `maxDepth` or to quote unsafe integers in JSON you parse yourself.
export { decodeJson, encodeJson, type JsonOptions, jsonEncoding } from './json.js';
export { nestsDeeper } from './nestsDeeper.js';
export { quoteUnsafeIntegers } from './quoteUnsafeIntegers.js';
