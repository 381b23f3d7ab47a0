import type { NatsConnection } from 'nats';

/** The parts of nats.js's connection internals the lean path reads (nats 2.x: `NatsConnectionImpl.protocol`). */
interface Internals {
  protocol?: {
    connected?: boolean;
    infoReceived?: boolean;
    noMorePublishing?: boolean;
    info?: { max_payload?: number };
    outbound?: { length(): number };
    outMsgs?: number;
    outBytes?: number;
    transport?: {
      isClosed?: boolean;
      socket?: { writable?: boolean; cork(): void; uncork(): void; write(chunk: Uint8Array): boolean };
    };
  };
}

const CRLF = Buffer.from('\r\n');
/**
 * What may not appear in a subject written into a `PUB` line: whitespace ends the subject (a space would make the
 * rest another protocol argument, a CR LF another command). nats.js does not check this either; such a subject takes
 * `nc.publish` as before, so this path never writes a protocol line that `nc.publish` would not.
 */
const NOT_IN_SUBJECT = /[\s\0]/;

/**
 * A publish function for a nats.js connection that writes `PUB <subject> <n>\r\n<payload>\r\n` straight on its socket
 * when nothing of nats.js's own is queued ahead, and calls `nc.publish` otherwise. Why: at the load test's shape (a few
 * messages per 5 ms tick, each a wake-up of its own) nats.js's publish — its outbound queue, a microtask per flush, a
 * copy of the queue into one buffer, a promise and a write callback per flush — cost the publishing node ~40 µs of CPU
 * per message over the raw protocol on the same socket (bench/tools/broker-floor.ts: `path-nats` with and without this
 * path, 3 pairs; BENCHMARKS.md "Eighth pass, goal 3").
 *
 * Order and everything else stay nats.js's: the direct write happens only while nats.js is connected, has had the
 * server's INFO, is not draining or closed, and has nothing queued (a SUB, a PING, a publish it buffered while
 * reconnecting) — so a message never overtakes what nats.js queued before it, and nats.js writes what it queues to
 * the same socket after. Anything else (reconnecting, over `max_payload`, closed: it throws there) goes through
 * `nc.publish` as before. nats.js's out counters are kept. A nats.js whose internals look different (another major
 * version) gets `nc.publish` for every message.
 */
export function natsPublisher(nc: NatsConnection): (subject: string, payload: Uint8Array) => void {
  const internals = nc as unknown as Internals;
  return (subject, payload) => {
    const protocol = internals.protocol;
    const socket = protocol?.transport?.socket;
    if (
      protocol === undefined ||
      socket === undefined ||
      protocol.connected !== true ||
      protocol.infoReceived !== true ||
      protocol.noMorePublishing !== false ||
      protocol.transport?.isClosed !== false ||
      socket.writable !== true ||
      typeof protocol.outbound?.length !== 'function' ||
      protocol.outbound.length() !== 0 ||
      typeof protocol.info?.max_payload !== 'number' ||
      payload.byteLength > protocol.info.max_payload ||
      typeof protocol.outMsgs !== 'number' ||
      typeof protocol.outBytes !== 'number' ||
      nc.isClosed() ||
      NOT_IN_SUBJECT.test(subject)
    ) {
      nc.publish(subject, payload);
      return;
    }
    protocol.outMsgs++;
    protocol.outBytes += payload.byteLength;
    socket.cork();
    socket.write(Buffer.from(`PUB ${subject} ${payload.byteLength}\r\n`));
    socket.write(payload);
    socket.write(CRLF);
    socket.uncork();
  };
}
