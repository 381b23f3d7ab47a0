import type { BrokerMessage } from '../Broker.js';
import { decodeBrokerPayload, ownCopy } from '../brokers/brokerCodec.js';

const NEWLINE = 0x0a;
/**
 * The fast path's bounds: a longer header (a `users` target with many ids) or a larger message goes through the full
 * decoder and its own limits; what the scan would save is small beside such a message's other costs.
 */
const FAST_HEADER_BYTES = 4096;
const FAST_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Decodes a message frame's body that a process of this host encoded (`HostBroker`'s default codec, a host on its
 * own: every message frame was made by a sibling's `publish`). The routing header is parsed and checked as on a bus,
 * but the JSON body is not scanned again (grammar, depth, UTF-8): the sibling's encoder made it and checked the
 * payload's depth, and a process that can write to the link can make any dispatch anyway, so the scan protects no one
 * here. Anything other than a v2 message (v1, a stream-id prefix, a header that is not one) goes through the full
 * `decodeBrokerPayload`, which throws `INVALID_BROKER_MESSAGE` as it would.
 *
 * Bounded: the payload's size and the header's length are checked before anything is parsed or copied, and the
 * payload is copied once (the message never holds a view into the link's read buffer).
 */
export function decodeHostPayload(topic: string, payload: Buffer): BrokerMessage {
  if (payload.byteLength > FAST_PAYLOAD_BYTES || payload[0] !== 0x5b /* [ */)
    return decodeBrokerPayload(topic, payload);
  const newline = payload.subarray(0, FAST_HEADER_BYTES).indexOf(NEWLINE);
  if (newline < 0) return decodeBrokerPayload(topic, payload);
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8', 0, newline));
  } catch {
    return decodeBrokerPayload(topic, payload);
  }
  if (!Array.isArray(raw) || raw.length !== 5 || raw[0] !== 2) return decodeBrokerPayload(topic, payload);
  const [, event, intent, target, createdAt] = raw;
  // ownCopy checks the routing fields, the size and the header's length as decoding does (null: decoding refuses it).
  const message = ownCopy({ event, intent, target, createdAt } as BrokerMessage, Buffer.from(payload));
  return message ?? decodeBrokerPayload(topic, payload);
}
