import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/app/access.js';
import type { FollowUpStore } from '../../src/adapters/postgres/follow-up-store.js';
import type { Role } from '../../src/domain/access.js';
import type { EscalationTarget } from '../../src/domain/escalation.js';
import { ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld, signIn } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Who an escalation level tells about one unit. */
const recipients = async (h: { store: FollowUpStore }, unitId: string, target: EscalationTarget) =>
  (await h.store.escalationRecipientsOf([unitId], target)).get(unitId) ?? [];

/** dmc.new (console) under dmc, with two people, and dmc.new.sub under it. */
async function setup() {
  const { h, app, access } = await httpWorld({ start: '2027-10-22T09:00:00+07:00', loaded, cleanups });
  const post = async (url: string, payload: object) => {
    const r = await app.inject({ method: 'POST', url, headers: admin, payload });
    expect(r.statusCode, r.body).toBe(201);
  };
  await post('/api/v1/units', { id: 'dmc.new', name: 'CĐCS Trường Mới', kind: 'grassroots', parentId: 'dmc' });
  await post('/api/v1/units', { id: 'dmc.new.sub', name: 'Tổ công đoàn', kind: 'grassroots', parentId: 'dmc.new' });
  await post('/api/v1/contacts', { id: 'dmc.new.ct', unitId: 'dmc.new', name: 'Nguyễn Văn Chủ', email: 'ct@example.org' });
  await post('/api/v1/contacts', { id: 'dmc.new.pct', unitId: 'dmc.new', name: 'Trần Thị Phó', email: 'pct@example.org' });
  const token = async (role: Role, unitId: string | null) => ({ authorization: `Bearer ${(await createApiToken({ store: access, clock: h.clock }, { name: `${role}-${unitId}`, role, unitId, createdBy: 't' })).token}` });
  const patch = (id: string, payload: object, headers: Record<string, string> = admin) => app.inject({ method: 'PATCH', url: `/api/v1/units/${id}`, headers, payload });
  const unitRow = async (id: string) => (await h.db.query<{ parent_id: string; name: string; leader_contact_id: string | null; standing_committee: string[] | null }>('select parent_id, name, leader_contact_id, standing_committee from units where id = $1', [id]))[0];
  return { h, app, access, token, patch, unitRow };
}

describe('editing a unit through the API', () => {
  it('renames (audit-logged, nothing to re-plan) and moves under another unit (audit-logged and re-planned)', async () => {
    const { h, patch, unitRow } = await setup();
    const plans = h.recording!.plans.length;
    const renamed = await patch('dmc.new', { name: 'CĐCS Trường THCS Mới' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id: 'dmc.new', name: 'CĐCS Trường THCS Mới', parentId: 'dmc' });
    expect(h.recording!.plans).toHaveLength(plans);
    const moved = await patch('dmc.new', { parentId: 'td' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await unitRow('dmc.new')).toMatchObject({ parent_id: 'td', name: 'CĐCS Trường THCS Mới' });
    expect(h.recording!.plans.slice(plans)).toEqual([{ obligationIds: [] }]);
    const audit = await h.db.query<{ action: string; detail: { fields: string[] } }>("select action, detail from audit_log where entity = 'unit' and entity_id = 'dmc.new' and action = 'update' order by id");
    expect(audit.map((a) => a.detail.fields)).toEqual([['name'], ['parentId']]);
    // The same values again change nothing.
    expect((await patch('dmc.new', { parentId: 'td' })).statusCode).toBe(200);
    expect(await h.db.query("select 1 from audit_log where entity = 'unit' and entity_id = 'dmc.new' and action = 'update'")).toHaveLength(2);
  });

  it('sets the leader and the Ban Thường vụ that escalation then notifies', async () => {
    const { h, patch } = await setup();
    expect(await recipients(h, 'dmc.new.sub', { kind: 'parent_leadership' })).toEqual([]);
    const r = await patch('dmc.new', { leaderContactId: 'dmc.new.ct', standingCommittee: ['dmc.new.ct', 'dmc.new.pct'] });
    expect(r.statusCode, r.body).toBe(200);
    expect((await recipients(h, 'dmc.new', { kind: 'unit_leader' })).map((c) => c.contactId)).toEqual(['dmc.new.ct']);
    expect((await recipients(h, 'dmc.new.sub', { kind: 'parent_leadership' })).map((c) => c.contactId)).toEqual(['dmc.new.ct', 'dmc.new.pct']);
    // An empty Ban Thường vụ: the leader stands for it.
    expect((await patch('dmc.new', { standingCommittee: [] })).json().standingCommittee).toBeNull();
    expect((await recipients(h, 'dmc.new.sub', { kind: 'parent_leadership' })).map((c) => c.contactId)).toEqual(['dmc.new.ct']);
    expect((await patch('dmc.new', { leaderContactId: null })).json().leaderContactId).toBeNull();
    expect(await recipients(h, 'dmc.new', { kind: 'unit_leader' })).toEqual([]);
  });

  it('answers 400 with every field problem, 404 for unknown units, 409 for a cycle or a config/ unit, 403 outside the scope, and writes nothing then', async () => {
    const { h, patch, token } = await setup();
    const before = await h.db.query('select * from units order by id');
    const shape = await patch('dmc.new', { name: ' ', parentId: '', colour: 'red' });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'name', 'parentId']);
    expect((await patch('dmc.new', {})).statusCode).toBe(400);
    const people = await patch('dmc.new', { leaderContactId: 'dmc.chairman', standingCommittee: ['nobody', 'dmc.new.ct', 'dmc.new.ct'] });
    expect(people.statusCode).toBe(400);
    expect(people.json().issues.map((i: { path: string }) => i.path)).toEqual(['leaderContactId', 'standingCommittee.0', 'standingCommittee.2']);

    expect((await patch('nowhere', { name: 'x' })).statusCode).toBe(404);
    const noParent = await patch('dmc.new', { parentId: 'nowhere' });
    expect([noParent.statusCode, noParent.json().issues]).toEqual([404, [{ path: 'parentId', message: 'không tồn tại' }]]);
    for (const parentId of ['dmc.new', 'dmc.new.sub']) {
      const loop = await patch('dmc.new', { parentId });
      expect(loop.statusCode, parentId).toBe(409);
      expect(loop.json().message).toContain('vòng');
    }
    const config = await patch('dmc.thpt-dmc', { name: 'x' });
    expect([config.statusCode, config.json().message]).toEqual([409, expect.stringContaining('units.yaml')]);

    // dmc's admin manages dmc.new but not td; td's admin does not manage dmc.new; officers and viewers edit nothing.
    expect((await patch('dmc.new', { parentId: 'td' }, await token('admin', 'dmc'))).statusCode).toBe(403);
    expect((await patch('dmc.new', { name: 'x' }, await token('admin', 'td'))).statusCode).toBe(403);
    expect((await patch('dmc.new', { name: 'x' }, await token('officer', 'dmc.new'))).statusCode).toBe(403);
    expect((await patch('dmc.new', { name: 'x' }, await token('viewer', 'tld'))).statusCode).toBe(403);
    expect(await h.db.query('select * from units order by id')).toEqual(before);
    // Within its scope dmc's admin may move it under another of its units.
    expect((await patch('dmc.new', { parentId: 'dmc.thpt-dmc' }, await token('admin', 'dmc'))).statusCode).toBe(200);
  });
});

describe('editing a unit in the console', () => {
  it('links console units from the tree, saves a rename with a Ban Thường vụ, shows a cycle as a problem, and leaves config/ units to the YAML', async () => {
    const { h, app, access, unitRow } = await setup();
    const vp = await signIn(app, access, h.clock, { username: 'vp', role: 'admin', unitId: 'dmc' });
    const tree = await vp.get('/units');
    expect(tree.body).toContain('href="/units/dmc.new/edit"');
    expect(tree.body).not.toContain('href="/units/dmc.thpt-dmc/edit"');
    const page = await vp.get('/units/dmc.new/edit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="CĐCS Trường Mới"');
    // Neither itself nor its own unit is offered as a parent.
    expect(page.body).not.toContain('<option value="dmc.new.sub"');
    const post = (fields: [string, string][]) => vp.form('/units/dmc.new/edit', fields);
    const saved = await post([['name', 'CĐCS <Mới>'], ['parentId', 'dmc'], ['leaderContactId', 'dmc.new.ct'], ['standingCommittee', 'dmc.new.ct'], ['standingCommittee', 'dmc.new.pct']]);
    expect(saved.statusCode, saved.body).toBe(303);
    expect(await unitRow('dmc.new')).toEqual({ parent_id: 'dmc', name: 'CĐCS <Mới>', leader_contact_id: 'dmc.new.ct', standing_committee: ['dmc.new.ct', 'dmc.new.pct'] });
    const after = await vp.get('/units');
    expect(after.body).toContain('CĐCS &lt;Mới&gt;');
    expect(after.body).toContain('Nguyễn Văn Chủ <em>· lãnh đạo</em> <em>· Ban Thường vụ</em>');

    const loop = await post([['name', 'x'], ['parentId', 'dmc.new.sub']]);
    expect(loop.statusCode).toBe(409);
    expect(loop.body).toContain('vòng');
    const outside = await post([['name', 'x'], ['parentId', 'td']]);
    expect(outside.statusCode).toBe(403);
    expect((await vp.get('/units/dmc.thpt-dmc/edit')).statusCode).toBe(409);
    expect((await vp.get('/units/nowhere/edit')).statusCode).toBe(404);
    expect((await unitRow('dmc.new'))!.name).toBe('CĐCS <Mới>');
  });
});
