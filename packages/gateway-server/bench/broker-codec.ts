/**
 * What a gateway node pays per broker message it receives, before any socket write: decode the bus payload and build
 * the JSON frame its sessions get. Wire format v2 (the routing header, then `d` already encoded by the publisher:
 * header parsed, body checked without building it, its bytes spliced into the frame) against v1 (the whole message
 * parsed, `d` re-encoded for the frame), on the load test's ~0.8 KB MESSAGE_CREATE. Also the publisher's encode.
 * CPU time per message over BROKER_CODEC_N messages (default 100,000; ~3 s).
 *
 *   node --import tsx packages/gateway-server/bench/broker-codec.ts
 */
import { type Comparison, comparison, report } from '@concord/bench-kit';
import type { BrokerMessage } from '../src/Broker.js';
import {
  decodeBrokerMessage,
  encodeBrokerMessage,
  encodeBrokerPayload,
  splicedBody,
} from '../src/brokers/brokerCodec.js';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { getEncoding } from '../src/wire/protocol.js';
import { message as loadMessage } from './lib/load/fixtures.js';

const N = Number(process.env.BROKER_CODEC_N ?? 100_000);
const json = getEncoding('json');

const m: BrokerMessage = {
  event: 'MESSAGE_CREATE',
  data: loadMessage(1, 3, 123.4),
  intent: 1 << 9,
  target: { type: 'guild', guildId: '1' },
  createdAt: Date.now(),
};
// As the bus hands them over: bytes (NATS, and the Redis broker's Buffer subscription).
const v1 = Buffer.from(encodeBrokerMessage(m, 1));
const v2 = encodeBrokerPayload(m);
const text = new TextDecoder();

/** µs of process CPU per call, after a warm-up. */
function cpuPerCall(f: () => void): number {
  for (let i = 0; i < Math.min(N, 5000); i++) f();
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

let sink = 0;
const receiveV1 = cpuPerCall(() => {
  const decoded = decodeBrokerMessage(text.decode(v1));
  sink += new PreparedDispatch(decoded.event, decoded.data, decoded.createdAt).wsFrame(json, true, 5).length;
});
const receiveV2 = cpuPerCall(() => {
  const decoded = decodeBrokerMessage(v2);
  sink += PreparedDispatch.spliced(decoded.event, splicedBody(decoded)!, decoded.createdAt).wsFrame(
    json,
    true,
    5,
  ).length;
});
const publishV1 = cpuPerCall(() => {
  sink += Buffer.byteLength(encodeBrokerMessage(m, 1));
});
const publishV2 = cpuPerCall(() => {
  sink += encodeBrokerPayload(m).length;
});
if (sink === 0) throw new Error('unreachable');

const rows: Comparison[] = [
  comparison(
    'gateway-server.broker.receive',
    'µs/msg',
    receiveV2,
    receiveV1,
    'wire v1: parse the message, re-encode d for the frame',
    true,
  ),
  comparison('gateway-server.broker.publish', 'µs/msg', publishV2, publishV1, 'wire v1 encode', true),
];
report(`broker message codec, ${v2.length} B MESSAGE_CREATE, ${N} messages (CPU per message)`, rows, [
  'receive = decode the bus payload + the JSON frame for one session (every receiving node pays it once per message);',
  '  v2 also checks the body (JSON grammar, depth, UTF-8) before splicing it, and parses it only if a session needs the object',
  'publish = encode once at the publishing node (v2 builds the bytes the NATS/Redis drivers send; v1 a string)',
]);
