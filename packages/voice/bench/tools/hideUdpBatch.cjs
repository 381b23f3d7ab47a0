// Preloaded (--require) into bench/tools/udpForwarder.ts for the "plain" variant: makes the optional native module
// unresolvable, so the voice server runs exactly as it does where @concord/udp-batch is not installed or not built.
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveFilename(request, ...rest) {
  if (request === '@concord/udp-batch')
    throw Object.assign(new Error('hidden by the bench'), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
