export { directFd } from './directFd.js';
export { isTcpWriteSupported } from './nativeBinding.js';
export { writeDirect } from './writeDirect.js';
