import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAccessStore } from '../../src/adapters/postgres/access-store.js';
import { createApiToken } from '../../src/app/access.js';
import { runPlanner, ADMIN_TOKEN } from '../support/follow-up-harness.js';
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

const DIRECTIVE = { id: 'dmc-200-2027', number: '200/LĐLĐ', issuer: 'LĐLĐ huyện Dương Minh Châu', issuedOn: '2027-09-15', title: 'V/v báo cáo quý' };
const OBLIGATION = {
  id: 'dmc-200-2027.quarterly-report',
  directiveId: DIRECTIVE.id,
  title: 'Báo cáo tình hình công nhân lao động hằng quý',
  rule: { kind: 'quarterly', monthOfQuarter: 3, day: 20 },
  assignees: { childrenOf: ['dmc'] },
};

async function setup() {
  return httpWorld({ start: '2027-11-25T09:00:00+07:00', loaded, cleanups });
}

describe('directives and obligations entered through the API', () => {
  it('creates a directive and an obligation, plans it at once, lists it with its origin, and a config/ sync leaves it alone', async () => {
    const { h, app } = await setup();
    expect((await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: DIRECTIVE })).statusCode).toBe(201);
    const created = await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: admin, payload: OBLIGATION });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ rule: { kind: 'quarterly', monthOfQuarter: 3, day: 20 }, validFrom: '2027-09-15', roll: 'next_working_day' });
    expect(h.recording!.plans).toContainEqual({ obligationIds: [OBLIGATION.id] });
    await runPlanner(h.planner, [OBLIGATION.id]);
    const owing = loaded.catalogue.units.filter((u) => u.parent === 'dmc').length;
    expect(await h.db.query("select 1 from assignments where obligation_id = $1 and occurrence_key = '2027-Q4'", [OBLIGATION.id])).toHaveLength(owing);

    const list = (await app.inject({ method: 'GET', url: '/api/v1/obligations?directive=dmc-200-2027', headers: admin })).json();
    expect(list.obligations.map((o: { id: string; origin: string }) => [o.id, o.origin])).toEqual([[OBLIGATION.id, 'console']]);
    const audit = await h.db.query<{ actor: string; action: string }>("select actor, action from audit_log where entity = 'obligation' and entity_id = $1", [OBLIGATION.id]);
    expect(audit).toEqual([{ actor: 'api:admin', action: 'create' }]);

    // Starting the service syncs config/ again: the console's rows are not config's to delete.
    await h.sync(loaded.catalogue);
    expect((await app.inject({ method: 'GET', url: `/api/v1/obligations/${OBLIGATION.id}`, headers: admin })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/directives', headers: admin })).json().directives.find((d: { id: string }) => d.id === DIRECTIVE.id)).toMatchObject({ origin: 'console' });
  });

  it('an edit that moves dates bumps the revision and replans; delete marks it and its timers go at the next plan', async () => {
    const { h, app } = await setup();
    await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: DIRECTIVE });
    await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: admin, payload: OBLIGATION });
    await runPlanner(h.planner, [OBLIGATION.id]);
    const replaced = await app.inject({ method: 'PUT', url: `/api/v1/obligations/${OBLIGATION.id}`, headers: admin, payload: { ...OBLIGATION, rule: { kind: 'quarterly', monthOfQuarter: 3, day: 'last' } } });
    expect(replaced.statusCode).toBe(200);
    expect((await h.db.query<{ revision: number }>('select revision from obligations where id = $1', [OBLIGATION.id]))[0]!.revision).toBe(2);
    // A title-only edit changes no dates: no new revision.
    await app.inject({ method: 'PUT', url: `/api/v1/obligations/${OBLIGATION.id}`, headers: admin, payload: { ...OBLIGATION, rule: { kind: 'quarterly', monthOfQuarter: 3, day: 'last' }, title: 'Báo cáo quý (sửa tên)' } });
    expect((await h.db.query<{ revision: number; title: string }>('select revision, title from obligations where id = $1', [OBLIGATION.id]))[0]).toEqual({ revision: 2, title: 'Báo cáo quý (sửa tên)' });
    await runPlanner(h.planner, [OBLIGATION.id]);
    expect((await h.db.query<{ effective_due: string }>("select effective_due from occurrences where obligation_id = $1 and key = '2027-Q4'", [OBLIGATION.id]))[0]!.effective_due).toBe('2027-12-31');

    expect((await app.inject({ method: 'DELETE', url: `/api/v1/obligations/${OBLIGATION.id}`, headers: admin })).statusCode).toBe(204);
    await runPlanner(h.planner);
    expect(await h.db.query("select 1 from reminder_steps where obligation_id = $1 and status = 'planned'", [OBLIGATION.id])).toHaveLength(0);
    expect((await app.inject({ method: 'GET', url: `/api/v1/obligations/${OBLIGATION.id}`, headers: admin })).statusCode).toBe(404);
  });

  it('refuses, writing nothing: config/ rows, every invalid field, duplicates, and units outside the caller\'s scope', async () => {
    const { h, app } = await setup();
    await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: DIRECTIVE });
    const before = await h.db.query('select id, revision, updated_at from obligations order by id');
    const fromConfig = await app.inject({ method: 'PUT', url: '/api/v1/obligations/dmc-159-2020.thematic-report', headers: admin, payload: { ...OBLIGATION, id: 'dmc-159-2020.thematic-report' } });
    expect(fromConfig.statusCode).toBe(409);
    expect(fromConfig.json().message).toContain('config/');
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/obligations/dmc-159-2020.thematic-report', headers: admin })).statusCode).toBe(409);

    const invalid = await app.inject({
      method: 'POST',
      url: '/api/v1/obligations',
      headers: admin,
      payload: { ...OBLIGATION, rule: { kind: 'monthly', day: 32 }, assignees: { units: ['nowhere'] }, colour: 'red' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'rule.day']);
    const unknownUnit = await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: admin, payload: { ...OBLIGATION, assignees: { units: ['nowhere'] }, ladder: ['7d', 'soon'] } });
    expect(unknownUnit.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['assignees.units.0', 'ladder']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: admin, payload: { ...OBLIGATION, directiveId: 'nope' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: DIRECTIVE })).statusCode).toBe(409);

    const otherDistrict = (await createApiToken({ store: new PostgresAccessStore(h.db), clock: h.clock }, { name: 'td-admin', role: 'admin', unitId: 'td', createdBy: 't' })).token;
    const outside = await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: { authorization: `Bearer ${otherDistrict}` }, payload: OBLIGATION });
    expect(outside.statusCode).toBe(403);
    expect(await h.db.query('select id, revision, updated_at from obligations order by id')).toEqual(before);
  });
});

describe('editing in the console', () => {
  it('opens a console obligation prefilled, saves a new day and an escalation policy, and refuses config/ rows and a malformed policy', async () => {
    const { h, app, access } = await setup();
    const vp = await signIn(app, access, h.clock, { username: 'vp', role: 'admin', unitId: 'dmc' });
    await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: DIRECTIVE });
    await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: admin, payload: OBLIGATION });

    const edit = await vp.get(`/obligations/${OBLIGATION.id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain(`value="${OBLIGATION.title}"`);
    expect(edit.body).toMatch(/<option value="quarterly" selected>/);
    expect(edit.body).toMatch(/name="childrenOf" value="dmc"[^>]* checked>/);
    const post = (fields: Record<string, string>) =>
      vp.form(`/obligations/${OBLIGATION.id}/edit`, { directiveId: DIRECTIVE.id, title: OBLIGATION.title, kind: 'quarterly', monthOfQuarter: '3', day: '25', childrenOf: 'dmc', action: 'save', ...fields });
    const bad = await post({ escalationLevels: '2 the boss' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('phải dạng');
    const saved = await post({ escalationLevels: '2 unit_leader; 4 parent_leadership', repeatEveryWorkingDays: '10', maxRepeats: '1' });
    expect(saved.statusCode).toBe(303);
    const stored = (await h.db.query<{ rule: object; escalation: object; revision: number }>('select rule, escalation, revision from obligations where id = $1', [OBLIGATION.id]))[0]!;
    expect(stored.rule).toEqual({ kind: 'quarterly', monthOfQuarter: 3, day: 25 });
    expect(stored.escalation).toEqual({
      levels: [
        { level: 1, afterWorkingDays: 2, notify: { kind: 'unit_leader' } },
        { level: 2, afterWorkingDays: 4, notify: { kind: 'parent_leadership' } },
      ],
      repeatEveryWorkingDays: 10,
      maxRepeats: 1,
    });
    expect(stored.revision).toBe(2);
    expect((await vp.get('/obligations/dmc-159-2020.thematic-report/edit')).statusCode).toBe(409);

    // A new person for a union, from the unit tree.
    expect((await vp.get('/units')).body).toContain('href="/units/dmc.thpt-dmc/contacts/new"');
    const added = await vp.form('/units/dmc.thpt-dmc/contacts/new', { id: 'dmc.thpt-dmc.thu-ky', name: 'Lý Thị Hoa', email: 'hoa@example.org' });
    expect(added.statusCode).toBe(303);
    expect((await h.store.snapshot('all')).contacts.get('dmc.thpt-dmc.thu-ky')).toMatchObject({ unitId: 'dmc.thpt-dmc', email: 'hoa@example.org' });
    expect((await vp.get('/units')).body).toContain('href="/contacts/dmc.thpt-dmc.thu-ky/edit"');
  });
});

describe('people of a unit, entered through the API and the console', () => {
  it('adds a contact who then receives the unit\'s reminders, edits it, survives a sync, and refuses config/ people', async () => {
    const { h, app } = await setup();
    await runPlanner(h.planner);
    const person = { id: 'dmc.thpt-dmc.secretary', unitId: 'dmc.thpt-dmc', name: 'Lý Thị Hoa', role: 'Thư ký', email: 'thuky.thpt-dmc@example.org' };
    expect((await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: admin, payload: person })).statusCode).toBe(201);
    const [open] = await h.db.query<{ obligation_id: string; occurrence_key: string }>("select obligation_id, occurrence_key from assignments where unit_id = 'dmc.thpt-dmc' and status in ('pending', 'overdue') limit 1");
    expect((await h.store.pendingRecipients(open!.obligation_id, open!.occurrence_key)).map((r) => r.contactId)).toContain(person.id);
    expect((await app.inject({ method: 'PUT', url: `/api/v1/contacts/${person.id}`, headers: admin, payload: { ...person, email: 'hoa@example.org' } })).json()).toMatchObject({ email: 'hoa@example.org' });
    await h.sync(loaded.catalogue);
    expect((await h.store.snapshot('all')).contacts.get(person.id)?.email).toBe('hoa@example.org');
    const fromConfig = await app.inject({ method: 'PUT', url: '/api/v1/contacts/dmc.thpt-dmc.chairman', headers: admin, payload: { id: 'dmc.thpt-dmc.chairman', unitId: 'dmc.thpt-dmc', name: 'x' } });
    expect(fromConfig.statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: admin, payload: { ...person, id: 'x.y', email: 'not-an-email' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/contacts/${person.id}`, headers: admin })).statusCode).toBe(204);
    expect((await h.store.pendingRecipients(open!.obligation_id, open!.occurrence_key)).map((r) => r.contactId)).not.toContain(person.id);
  });
});

describe('a new unit from the API', () => {
  it('joins the tree under its parent and owes what is given to "all units under" it from the next planner run, but nothing due before it joined', async () => {
    const { h, app } = await setup();
    const unit = { id: 'dmc.thcs-moi', name: 'CĐCS Trường THCS Mới', kind: 'grassroots', parentId: 'dmc' };
    const otherDistrict = (await createApiToken({ store: new PostgresAccessStore(h.db), clock: h.clock }, { name: 'td-admin', role: 'admin', unitId: 'td', createdBy: 't' })).token;
    expect((await app.inject({ method: 'POST', url: '/api/v1/units', headers: { authorization: `Bearer ${otherDistrict}` }, payload: unit })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/units', headers: admin, payload: { ...unit, parentId: 'nowhere' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/units', headers: admin, payload: unit })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/api/v1/units', headers: admin, payload: unit })).statusCode).toBe(409);
    await runPlanner(h.planner);
    // Joined on 25/11/2027: the 30/10 report (due 01/11) is not its to owe; a deadline ahead of it is.
    expect(await h.db.query("select 1 from assignments where unit_id = 'dmc.thcs-moi' and obligation_id = 'dmc-159-2020.thematic-report'")).toHaveLength(0);
    expect((await h.db.query<{ status: string }>("select status from assignments where unit_id = 'dmc.thcs-moi'")).length).toBeGreaterThan(0);
    expect(await h.db.query("select 1 from assignments where unit_id = 'dmc.thcs-moi' and due < '2027-11-25'")).toHaveLength(0);
    // A unit that was there from the start still owes the 30/10 report it missed.
    expect((await h.store.assignment({ obligationId: 'dmc-159-2020.thematic-report', occurrenceKey: '2027', unitId: 'dmc.thpt-dmc' }))?.status).toBe('overdue');
    await h.sync(loaded.catalogue);
    expect((await h.store.unitTree()).some((u) => u.id === 'dmc.thcs-moi')).toBe(true);
  });
});

describe('scope of edits and reads (from the security review)', () => {
  it('another district\'s admin can neither take over a console obligation nor move a console contact; outside readers get 404', async () => {
    const { h, app } = await setup();
    const store = new PostgresAccessStore(h.db);
    const td = (await createApiToken({ store, clock: h.clock }, { name: 'td-admin', role: 'admin', unitId: 'td', createdBy: 't' })).token;
    const tdViewer = (await createApiToken({ store, clock: h.clock }, { name: 'td-viewer', role: 'viewer', unitId: 'td', createdBy: 't' })).token;
    await app.inject({ method: 'POST', url: '/api/v1/directives', headers: admin, payload: DIRECTIVE });
    await app.inject({ method: 'POST', url: '/api/v1/obligations', headers: admin, payload: OBLIGATION });
    const takeOver = await app.inject({ method: 'PUT', url: `/api/v1/obligations/${OBLIGATION.id}`, headers: { authorization: `Bearer ${td}` }, payload: { ...OBLIGATION, assignees: { childrenOf: ['td'] } } });
    expect(takeOver.statusCode).toBe(403);
    expect((await h.db.query<{ assignees: object }>('select assignees from obligations where id = $1', [OBLIGATION.id]))[0]!.assignees).toEqual({ units: [], childrenOf: ['dmc'] });

    const person = { id: 'dmc.thpt-dmc.thu-ky', unitId: 'dmc.thpt-dmc', name: 'Lý Thị Hoa', email: 'hoa@example.org' };
    await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: admin, payload: person });
    const moved = await app.inject({ method: 'PUT', url: `/api/v1/contacts/${person.id}`, headers: { authorization: `Bearer ${td}` }, payload: { ...person, unitId: 'td.thpt-tam-duong', email: 'x@evil.example' } });
    expect(moved.statusCode).toBe(403);
    expect((await h.store.snapshot('all')).contacts.get(person.id)).toMatchObject({ unitId: 'dmc.thpt-dmc', email: 'hoa@example.org' });

    expect((await app.inject({ method: 'GET', url: `/api/v1/obligations/${OBLIGATION.id}`, headers: { authorization: `Bearer ${tdViewer}` } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/obligations/dmc-159-2020.thematic-report', headers: { authorization: `Bearer ${tdViewer}` } })).statusCode).toBe(404);
  });

  it('refuses a login posted from another site, and a person\'s details outside the caller\'s units', async () => {
    const { h, app } = await setup();
    const { createUser } = await import('../../src/app/access.js');
    await createUser({ store: new PostgresAccessStore(h.db), clock: h.clock }, { username: 'td', displayName: 'TD', password: 'mật khẩu quản trị 2', role: 'admin', unitId: 'td' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const payload = 'username=td&password=' + encodeURIComponent('mật khẩu quản trị 2');
    expect((await app.inject({ method: 'POST', url: '/login', headers: { ...form, origin: 'https://evil.example' }, payload })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/login', headers: { ...form, 'sec-fetch-site': 'cross-site' }, payload })).statusCode).toBe(403);
    const ok = await app.inject({ method: 'POST', url: '/login', headers: { ...form, host: 'localhost:3000', origin: 'http://localhost:3000' }, payload });
    expect(ok.statusCode).toBe(303);
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    await app.inject({ method: 'POST', url: '/api/v1/contacts', headers: admin, payload: { id: 'dmc.thpt-dmc.thu-ky', unitId: 'dmc.thpt-dmc', name: 'Lý Thị Hoa', phone: '0900000099' } });
    const peek = await app.inject({ method: 'GET', url: '/contacts/dmc.thpt-dmc.thu-ky/edit', headers: { cookie } });
    expect(peek.statusCode).toBe(403);
    expect(peek.body).not.toContain('0900000099');
  });
});
