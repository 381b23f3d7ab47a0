import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { assertPermissions, MissingAccessError, MissingPermissionsError, PermissionError } from '../src/index.js';

describe('permission errors', () => {
  it("carry Discord's JSON error codes, names and causes", () => {
    const cause = new Error('lookup failed');
    const missing = new MissingPermissionsError(P.BanMembers, { cause });
    expect(missing).toBeInstanceOf(PermissionError);
    expect(missing).toBeInstanceOf(Error);
    expect(missing.name).toBe('MissingPermissionsError');
    expect(missing.code).toBe(50013);
    expect(missing.missing).toBe(P.BanMembers);
    expect(missing.cause).toBe(cause);
    expect(missing.message).toBe('Missing Permissions (0x4)');

    const access = new MissingAccessError();
    expect(access).toBeInstanceOf(PermissionError);
    expect([access.name, access.code, access.message]).toEqual(['MissingAccessError', 50001, 'Missing Access']);

    const base = new PermissionError(50001, 'hidden', { cause });
    expect([base.name, base.code, base.cause]).toEqual(['PermissionError', 50001, cause]);
  });

  it('assertPermissions throws the missing bits only', () => {
    expect(() => assertPermissions(P.KickMembers | P.BanMembers, P.KickMembers)).not.toThrow();
    expect(() => assertPermissions(P.KickMembers, 0n)).not.toThrow();
    try {
      assertPermissions(P.KickMembers, P.KickMembers | P.BanMembers | P.ManageRoles);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MissingPermissionsError);
      expect((error as MissingPermissionsError).missing).toBe(P.BanMembers | P.ManageRoles);
    }
  });
});
