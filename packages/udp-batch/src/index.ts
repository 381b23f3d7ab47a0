export { AesGcmSealer } from './AesGcmSealer.js';
export { isUdpBatchSupported } from './nativeBinding.js';
export { socketFd } from './socketFd.js';
export { UDP_BATCH_DEFAULTS, UdpBatch, type UdpBatchOptions, type UdpBatchStats } from './UdpBatch.js';
export { UdpBatchError, type UdpBatchErrorCode } from './UdpBatchError.js';
