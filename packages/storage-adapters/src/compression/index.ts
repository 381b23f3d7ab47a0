export * from './contentCodec.js';
