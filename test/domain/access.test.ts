import { describe, expect, it } from 'vitest';
import { can, readableUnits, type Action, type Principal, type Role } from '../../src/domain/access.js';

// tn (province) → dmc (district) → dmc.thpt (grassroots); td is another district under lc.
const TREE = [
  { id: 'tn', parent: null },
  { id: 'dmc', parent: 'tn' },
  { id: 'dmc.thpt', parent: 'dmc' },
  { id: 'lc', parent: null },
  { id: 'td', parent: 'lc' },
];
const ANCESTORS: Record<string, string[]> = { tn: [], dmc: ['tn'], 'dmc.thpt': ['dmc', 'tn'], lc: [], td: ['lc'] };
const who = (role: Role, unitId: string | null): Principal => ({ role, unitId, actor: `${role}@${unitId ?? '*'}` });
const on = (unitId: string) => ({ unitId, ancestors: ANCESTORS[unitId]! });

const ALL: Action[] = ['read', 'complete', 'acknowledge', 'request_extension', 'decide_extension', 'reopen', 'waive', 'manage'];

describe('can: who may do what to a unit\'s assignment', () => {
  const cases: [Principal, string, Action[]][] = [
    // The bootstrap admin may do everything everywhere.
    [who('admin', null), 'dmc.thpt', ALL],
    // A district admin manages the unions below it, and decides their extensions and waivers...
    [who('admin', 'dmc'), 'dmc.thpt', ALL],
    // ...and acts on the district's own duties, but may not approve or waive them for itself.
    [who('admin', 'dmc'), 'dmc', ['read', 'complete', 'acknowledge', 'request_extension', 'reopen', 'manage']],
    // Nothing above or beside it.
    [who('admin', 'dmc'), 'tn', []],
    [who('admin', 'dmc'), 'td', []],
    // An officer acts on its own unit's assignments only, and decides nothing.
    [who('officer', 'dmc.thpt'), 'dmc.thpt', ['read', 'complete', 'acknowledge', 'request_extension']],
    [who('officer', 'dmc'), 'dmc.thpt', []],
    [who('officer', 'dmc.thpt'), 'dmc', []],
    // A viewer (leadership) reads its unit and below, changes nothing.
    [who('viewer', 'tn'), 'dmc.thpt', ['read']],
    [who('viewer', 'tn'), 'tn', ['read']],
    [who('viewer', 'dmc'), 'td', []],
    [who('viewer', null), 'td', ['read']],
  ];
  for (const [principal, unit, allowed] of cases) {
    it(`${principal.actor} on ${unit}: ${allowed.length ? allowed.join(', ') : 'nothing'}`, () => {
      expect(ALL.filter((a) => can(principal, a, on(unit)))).toEqual(allowed);
    });
  }
});

describe('readableUnits', () => {
  it('is the subtree for admins and viewers, the unit alone for an officer, everything without a unit', () => {
    expect(readableUnits(who('viewer', 'tn'), TREE)).toEqual(new Set(['tn', 'dmc', 'dmc.thpt']));
    expect(readableUnits(who('admin', 'dmc'), TREE)).toEqual(new Set(['dmc', 'dmc.thpt']));
    expect(readableUnits(who('officer', 'dmc'), TREE)).toEqual(new Set(['dmc']));
    expect(readableUnits(who('admin', null), TREE)).toBe('all');
  });
});
