import { PermissionFlagsBits } from 'discord-api-types/v10';

/**
 * Every permission bit discord-api-types knows: what the owner and ADMINISTRATOR holders get (docs/protocol.md,
 * "Permissions"). Built from the flags rather than written as a number so a new flag in discord-api-types is included.
 */
export const allPermissions: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);
