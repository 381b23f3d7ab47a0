import type { Broker, BrokerMessage, DispatchTarget } from '../Broker.js';
import type { DispatchOptions } from '../dispatch/DispatchOptions.js';
import { eventIntent } from '../eventIntents.js';
import { isThenable } from '../isThenable.js';

/**
 * The sending half of fan-out: a dispatch becomes one broker message per topic its target lives on (`guild:<id>`
 * for guild and channel targets, `user:<id>` per user, `session:<id>`), stamped with the intent it needs. Every node
 * holding a recipient receives it and decides with `FanOut`. A failed publish is reported, never thrown at the caller.
 */
export function publishDispatch(
  broker: Broker,
  event: string,
  data: unknown,
  target: DispatchTarget,
  options: DispatchOptions,
  failed: (topic: string, error: unknown) => void,
): void {
  const inGuild = target.type === 'guild' || target.type === 'channel' || (target.type === 'users' && !!target.guildId);
  const intent = options.intent !== undefined ? options.intent : eventIntent(event, inGuild);
  const message: BrokerMessage = { event, data, intent, target, createdAt: Date.now() };
  const topic =
    target.type === 'guild' || target.type === 'channel'
      ? `guild:${target.guildId}`
      : target.type === 'session'
        ? `session:${target.sessionId}`
        : null;
  if (topic !== null) publish(broker, topic, message, failed);
  else if (target.type === 'users') {
    for (const id of target.userIds) {
      publish(
        broker,
        `user:${id}`,
        target.userIds.length === 1 ? message : { ...message, target: { ...target, userIds: [id] } },
        failed,
      );
    }
  }
}

function publish(
  broker: Broker,
  topic: string,
  message: BrokerMessage,
  failed: (topic: string, error: unknown) => void,
): void {
  try {
    const result = broker.publish(topic, message);
    if (isThenable(result)) Promise.resolve(result).catch((error) => failed(topic, error));
  } catch (error) {
    failed(topic, error);
  }
}
