import type { PermissionMember } from './PermissionInputs.js';

/** Whether the member is timed out at `now` (Unix ms): the timeout ends at `communicationDisabledUntil`, exclusive. */
export function isCommunicationDisabled(member: PermissionMember, now: number = Date.now()): boolean {
  const until = member.communicationDisabledUntil;
  return until !== undefined && until !== null && until > now;
}
