import { requireService } from '@concord/test-services';
import { connect, type Msg, type NatsConnection } from 'nats';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { natsPublisher } from '../src/brokers/natsPublisher.js';

const natsUp = await requireService({
  name: 'nats',
  host: '127.0.0.1',
  port: 4222,
  howToStart: 'bash .ci/services/nats.sh start',
});

const subjectPrefix = `concord.test.natsPublisher.${process.pid}.${Date.now()}`;
let subjects = 0;
const subject = () => `${subjectPrefix}.${subjects++}`;

/** The socket nats.js writes to (what the lean path writes to as well). */
const socketOf = (nc: NatsConnection) =>
  (nc as unknown as { protocol: { transport: { socket: { write: (chunk: Uint8Array) => boolean } } } }).protocol
    .transport.socket;

describe('natsPublisher without nats.js internals', () => {
  it('hands every message to nc.publish when the connection does not look like nats.js 2.x inside', () => {
    const publish = vi.fn();
    const fake = { publish, isClosed: () => false } as unknown as NatsConnection;
    const send = natsPublisher(fake);
    const payload = new Uint8Array([1, 2, 3]);
    send('a.b', payload);
    send('a.c', payload);
    expect(publish.mock.calls).toEqual([
      ['a.b', payload],
      ['a.c', payload],
    ]);
  });
});

describe.skipIf(!natsUp)('natsPublisher over a nats.js connection', () => {
  const open: NatsConnection[] = [];
  afterEach(async () => {
    for (const nc of open.splice(0)) await nc.close().catch(() => undefined);
  });
  const connectNats = async () => {
    const nc = await connect({ servers: '127.0.0.1:4222' });
    open.push(nc);
    return nc;
  };

  it('writes straight on the socket when nothing is queued, and the subscriber gets the bytes unchanged', async () => {
    const pub = await connectNats();
    const sub = await connectNats();
    const topic = subject();
    const got: Msg[] = [];
    sub.subscribe(topic, { callback: (_error, msg) => got.push(msg) });
    await sub.flush();
    await pub.flush();
    const write = vi.spyOn(socketOf(pub), 'write');
    const publish = vi.spyOn(pub, 'publish');
    const send = natsPublisher(pub);
    const before = pub.stats().outMsgs;
    const payload = Buffer.from('[2,"MESSAGE_CREATE",512,{"type":"guild","guildId":"1"},0]\n{"content":"a b\\r\\n"}');
    send(topic, payload);
    expect(publish).not.toHaveBeenCalled();
    expect(write).toHaveBeenCalled();
    expect(pub.stats().outMsgs).toBe(before + 1);
    await pub.flush();
    await sub.flush();
    expect(got).toHaveLength(1);
    expect(got[0]!.subject).toBe(topic);
    expect(Buffer.from(got[0]!.data).equals(payload)).toBe(true);
  });

  it('keeps publish order when nats.js has something queued: what follows it goes through nc.publish', async () => {
    const pub = await connectNats();
    const sub = await connectNats();
    const topic = subject();
    const got: number[] = [];
    sub.subscribe(topic, { callback: (_error, msg) => got.push(Number(Buffer.from(msg.data).toString())) });
    await sub.flush();
    const send = natsPublisher(pub);
    const publish = vi.spyOn(pub, 'publish');
    const count = 200;
    for (let n = 0; n < count; n++) {
      // Every 10th goes through nats.js itself (queued until its microtask flush): the ones sent after it in the same
      // turn must not overtake it on the socket.
      if (n % 10 === 0) pub.publish(topic, Buffer.from(String(n)));
      else send(topic, Buffer.from(String(n)));
      // A turn boundary now and then: the queue drains and the direct path is open again.
      if (n % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await pub.flush();
    await sub.flush();
    expect(got).toEqual(Array.from({ length: count }, (_, n) => n));
    // Both paths were taken by send(): some messages queued behind nats.js's, some written straight.
    const viaNats = publish.mock.calls.length - count / 10;
    expect(viaNats).toBeGreaterThan(0);
    expect(viaNats).toBeLessThan(count - count / 10);
  });

  it('never writes a subject with whitespace into a PUB line itself: it goes to nc.publish', async () => {
    const pub = await connectNats();
    await pub.flush();
    const write = vi.spyOn(socketOf(pub), 'write');
    const publish = vi.spyOn(pub, 'publish').mockImplementation(() => undefined);
    const send = natsPublisher(pub);
    for (const bad of [`${subject()} 5\r\nPUB x`, `${subject()}\ty`, `${subject()}\n`]) send(bad, new Uint8Array(1));
    expect(publish).toHaveBeenCalledTimes(3);
    expect(write).not.toHaveBeenCalled();
  });

  it('leaves a payload over max_payload to nc.publish, which refuses it', async () => {
    const pub = await connectNats();
    const send = natsPublisher(pub);
    const tooBig = new Uint8Array(pub.info!.max_payload + 1);
    expect(() => send(subject(), tooBig)).toThrow(/MAX_PAYLOAD_EXCEEDED|max payload/i);
  });

  it('throws as nc.publish does once the connection is closed', async () => {
    const pub = await connectNats();
    const send = natsPublisher(pub);
    await pub.close();
    expect(() => send(subject(), new Uint8Array(1))).toThrow(/CONNECTION_CLOSED|closed/i);
  });
});
