import { GatewayIntentBits } from 'discord-api-types/gateway/v10';
import { GatewayCloseCodes } from './closeCodes.js';
import { ProtocolError } from './ProtocolError.js';

export { GatewayIntentBits };

/** Intent names (as in GatewayIntentBits) to bit numbers, exactly the set docs/protocol.md lists ("Intents"). */
export const INTENT_BITS = Object.freeze({
  Guilds: 0,
  GuildMembers: 1,
  GuildModeration: 2,
  GuildExpressions: 3,
  GuildIntegrations: 4,
  GuildWebhooks: 5,
  GuildInvites: 6,
  GuildVoiceStates: 7,
  GuildPresences: 8,
  GuildMessages: 9,
  GuildMessageReactions: 10,
  GuildMessageTyping: 11,
  DirectMessages: 12,
  DirectMessageReactions: 13,
  DirectMessageTyping: 14,
  MessageContent: 15,
  GuildScheduledEvents: 16,
  AutoModerationConfiguration: 20,
  AutoModerationExecution: 21,
  GuildMessagePolls: 24,
  DirectMessagePolls: 25,
} as const);

export type IntentName = keyof typeof INTENT_BITS;

/** Every intent this package knows, OR-ed together. */
export const ALL_INTENTS: number = Object.values(INTENT_BITS).reduce<number>((all, bit) => all | (1 << bit), 0);

/** Intents a bot must be granted before it may ask for them (close code 4014 otherwise). */
export const PRIVILEGED_INTENTS: number =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

/** Rejected `intents` value; `closeCode` is what a gateway server should close the connection with. */
export class IntentsError extends ProtocolError {
  override readonly name: string = 'IntentsError';
  readonly closeCode: GatewayCloseCodes.InvalidIntents | GatewayCloseCodes.DisallowedIntents;
  constructor(
    message: string,
    closeCode:
      | GatewayCloseCodes.InvalidIntents
      | GatewayCloseCodes.DisallowedIntents = GatewayCloseCodes.InvalidIntents,
  ) {
    super('INVALID_INTENTS', message);
    this.closeCode = closeCode;
  }
}

export interface ValidateIntentsOptions {
  /**
   * Privileged intents this client was granted (default: all of them). Asking for a privileged intent outside this
   * set throws with close code 4014.
   */
  granted?: number;
}

/**
 * Checks an Identify `intents` value: a non-negative integer with only known bits (else 4013), and no privileged
 * intent outside `granted` (else 4014). Returns the value typed as a number.
 */
export function validateIntents(intents: unknown, options: ValidateIntentsOptions = {}): number {
  if (typeof intents !== 'number' || !Number.isSafeInteger(intents) || intents < 0) {
    throw new IntentsError(`intents must be a non-negative integer, got ${describe(intents)}`);
  }
  // Bits above 31 cannot be expressed with 32-bit bitwise ops, and none is defined.
  if (intents > 0xffff_ffff || (intents & ~ALL_INTENTS) !== 0) {
    throw new IntentsError(`intents has unknown bits: ${intents > 0xffff_ffff ? intents : intents & ~ALL_INTENTS}`);
  }
  const granted = options.granted ?? PRIVILEGED_INTENTS;
  const refused = intents & PRIVILEGED_INTENTS & ~granted;
  if (refused !== 0) {
    throw new IntentsError(
      `privileged intents not granted: ${intentNames(refused).join(', ')}`,
      GatewayCloseCodes.DisallowedIntents,
    );
  }
  return intents;
}

/** true when every bit of `intent` is set in `intents`. */
export function hasIntent(intents: number, intent: number): boolean {
  return (intents & intent) === intent;
}

/** Names of the known intents set in `intents`, in bit order. */
export function intentNames(intents: number): IntentName[] {
  return (Object.keys(INTENT_BITS) as IntentName[]).filter((name) => (intents & (1 << INTENT_BITS[name])) !== 0);
}

/** OR of the given intent names or bit values. */
export function resolveIntents(intents: readonly (IntentName | number)[]): number {
  let bits = 0;
  for (const intent of intents) {
    if (typeof intent === 'number') bits |= intent;
    else if (Object.hasOwn(INTENT_BITS, intent)) bits |= 1 << INTENT_BITS[intent];
    else throw new IntentsError(`unknown intent name: ${String(intent)}`);
  }
  return validateIntents(bits >>> 0);
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}
