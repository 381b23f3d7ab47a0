import { describe, expect, it } from 'vitest';
import { canActOnMember, canManageRole, compareRoles, highestRole } from '../src/permissions/index.js';
import { GUILD_ID, guild, member, OWNER_ID, role } from './helpers/permissionGuild.js';

// Roles 20 and 30 share position 2: the older (smaller id) one, 20, ranks higher. 9000000000000000000 has position 1
// and a longer id than '30': ids compare as numbers.
const mod = role('20', 0n, 2);
const helper = role('30', 0n, 2);
const junior = role('9000000000000000000', 0n, 1);
const admin = role('40', 0n, 5);
const g = guild(0n, [junior, helper, mod, admin]);

describe('compareRoles', () => {
  it('orders by position, then the smaller id higher', () => {
    expect(compareRoles(admin, mod)).toBeGreaterThan(0);
    expect(compareRoles(junior, mod)).toBeLessThan(0);
    expect(compareRoles(mod, helper)).toBeGreaterThan(0);
    expect(compareRoles(helper, mod)).toBeLessThan(0);
    expect(compareRoles(role('2', 0n, 3), role('10', 0n, 3))).toBeGreaterThan(0);
    expect(compareRoles(mod, { ...mod })).toBe(0);
  });
});

describe('highestRole', () => {
  it("is the member's highest role, ties by id", () => {
    expect(highestRole(g, member('2', [junior.id, helper.id, mod.id]))).toBe(mod);
    expect(highestRole(g, member('2', [helper.id, junior.id]))).toBe(helper);
  });

  it('is @everyone for a member without roles, undefined when the guild lists no @everyone', () => {
    expect(highestRole(g, member('2'))?.id).toBe(GUILD_ID);
    expect(highestRole({ id: GUILD_ID, ownerId: OWNER_ID, roles: [] }, member('2'))).toBeUndefined();
  });
});

describe('canManageRole', () => {
  it('allows only roles strictly below the actor’s highest', () => {
    const actor = member('2', [mod.id]);
    expect(canManageRole(g, actor, junior)).toBe(true);
    expect(canManageRole(g, actor, helper)).toBe(true);
    expect(canManageRole(g, actor, mod)).toBe(false);
    expect(canManageRole(g, actor, admin)).toBe(false);
    expect(canManageRole(g, member('3', [helper.id]), mod)).toBe(false);
  });

  it('lets the owner manage every role, and a member without roles none', () => {
    expect(canManageRole(g, member(OWNER_ID), admin)).toBe(true);
    expect(canManageRole(g, member('2'), junior)).toBe(false);
    expect(canManageRole(g, member('2'), g.roles[0]!)).toBe(false);
  });
});

describe('canActOnMember', () => {
  it('needs the actor’s highest role strictly above the target’s', () => {
    expect(canActOnMember(g, member('2', [admin.id]), member('3', [mod.id]))).toBe(true);
    expect(canActOnMember(g, member('2', [mod.id]), member('3', [helper.id]))).toBe(true);
    expect(canActOnMember(g, member('2', [helper.id]), member('3', [mod.id]))).toBe(false);
    expect(canActOnMember(g, member('2', [mod.id]), member('3', [mod.id]))).toBe(false);
    expect(canActOnMember(g, member('2', [junior.id]), member('3'))).toBe(true);
    expect(canActOnMember(g, member('2'), member('3'))).toBe(false);
  });

  it('never lets a member act on themselves', () => {
    const self = member('2', [admin.id]);
    expect(canActOnMember(g, self, self)).toBe(false);
  });

  it('lets the owner act on anyone, and nobody on the owner', () => {
    expect(canActOnMember(g, member(OWNER_ID), member('3', [admin.id]))).toBe(true);
    expect(canActOnMember(g, member('2', [admin.id]), member(OWNER_ID))).toBe(false);
    expect(canActOnMember(g, member(OWNER_ID), member(OWNER_ID))).toBe(false);
  });
});
