import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { createApiToken } from '../../src/app/access.js';
import { LayeredCalendar } from '../../src/app/calendar-edit.js';
import type { Role } from '../../src/domain/access.js';
import { followStoredCalendar } from '../../src/main/context.js';
import { runPlanner, ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld, signIn } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const layered = () => new LayeredCalendar(loaded.catalogue.calendarRules, loaded.catalogue.decrees, dateHolidaysLunar());

async function setup() {
  const calendar = layered();
  const { h, app, access } = await httpWorld({ start: '2027-10-22T09:00:00+07:00', loaded: { catalogue: loaded.catalogue, calendar }, cleanups, plan: [OBLIGATION] });
  const token = async (role: Role, unitId: string | null) => ({ authorization: `Bearer ${(await createApiToken({ store: access, clock: h.clock }, { name: `${role}-${unitId}`, role, unitId, createdBy: 't' })).token}` });
  const due = async () => (await h.db.query<{ effective_due: string }>("select effective_due from occurrences where obligation_id = $1 and key = '2027'", [OBLIGATION]))[0]!.effective_due;
  return { h, app, calendar, access, token, due };
}

describe('calendar edits through the API, layered over config/calendar', () => {
  it('an extra day off moves a due that rolled onto it, after the re-plan it asks for; audit-logged; shown with its source; undone by DELETE', async () => {
    const { h, app, due } = await setup();
    // 30/10/2027 is a Saturday: the report rolls to Monday 1/11.
    expect(await due()).toBe('2027-11-01');
    const added = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/days', headers: admin, payload: { date: '2027-11-01', name: 'Nghỉ thêm theo Thông báo số 1/TB' } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ date: '2027-11-01', action: 'add', kind: 'holiday', createdBy: 'api:admin' });
    expect(h.recording!.plans).toContainEqual({ obligationIds: [] });
    await runPlanner(h.planner);
    expect(await due()).toBe('2027-11-02');

    const year = (await app.inject({ method: 'GET', url: '/api/v1/calendar/2027', headers: admin })).json();
    expect(year.days).toContainEqual({ date: '2027-11-01', kind: 'holiday', name: 'Nghỉ thêm theo Thông báo số 1/TB', source: 'sửa trên trang quản trị (api:admin)' });
    expect(year.edits).toEqual([expect.objectContaining({ date: '2027-11-01', action: 'add' })]);
    expect(await h.db.query("select actor, entity_id, action from audit_log where entity = 'calendar'")).toEqual([{ actor: 'api:admin', entity_id: '2027', action: 'add_day_off' }]);

    expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2027/days/2027-11-01', headers: admin })).statusCode).toBe(204);
    await runPlanner(h.planner);
    expect(await due()).toBe('2027-11-01');
    expect((await app.inject({ method: 'GET', url: '/api/v1/calendar/2027', headers: admin })).json().edits).toEqual([]);
  });

  it('a swap adds a day off and a make-up Saturday together and goes together; another process sees it after following the store', async () => {
    const { h, app, calendar } = await setup();
    const r = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/swaps', headers: admin, payload: { off: '2027-11-02', work: '2027-11-06' } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().days.map((d: { date: string; kind: string; pairDate: string }) => [d.date, d.kind, d.pairDate])).toEqual([
      ['2027-11-02', 'swap_off', '2027-11-06'],
      ['2027-11-06', 'swap_work', '2027-11-02'],
    ]);
    expect(calendar.isWorkingDay('2027-11-02')).toBe(false);
    expect(calendar.isWorkingDay('2027-11-06')).toBe(true);
    expect(calendar.addWorkingDays('2027-11-01', 1)).toBe('2027-11-03');

    // A worker started apart from the API reads the edits from PostgreSQL.
    const other = layered();
    expect(other.isWorkingDay('2027-11-02')).toBe(true);
    const stop = await followStoredCalendar(other, h.store, { everyMs: 60_000 });
    stop();
    expect(other.isWorkingDay('2027-11-02')).toBe(false);
    expect(other.isWorkingDay('2027-11-06')).toBe(true);

    // Removing either day removes the swap.
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2027/days/2027-11-06', headers: admin })).statusCode).toBe(204);
    expect(calendar.isWorkingDay('2027-11-02')).toBe(true);
    expect(calendar.isWorkingDay('2027-11-06')).toBe(false);
    expect(await h.db.query('select * from calendar_overrides')).toEqual([]);
  });

  it('removes a swap day that config/ lists and brings it back by removing the removal', async () => {
    const { app, calendar } = await setup();
    // config/calendar/years/2026.yaml: Friday 2/1/2026 off, made up on Saturday 10/1.
    expect(calendar.isWorkingDay('2026-01-02')).toBe(false);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2026/days/2026-01-02', headers: admin })).statusCode).toBe(204);
    expect(calendar.isWorkingDay('2026-01-02')).toBe(true);
    const year = (await app.inject({ method: 'GET', url: '/api/v1/calendar/2026', headers: admin })).json();
    expect(year.days.filter((d: { date: string }) => d.date === '2026-01-02')).toEqual([]);
    expect(year.edits).toEqual([expect.objectContaining({ date: '2026-01-02', action: 'remove' })]);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2026/days/2026-01-02', headers: admin })).statusCode).toBe(204);
    expect(calendar.isWorkingDay('2026-01-02')).toBe(false);
  });

  it('answers 400 with every field problem, 404 for nothing to remove, 409 for a date edited already, and writes nothing then', async () => {
    const { h, app } = await setup();
    const bad = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/swaps', headers: admin, payload: { off: '2027-11-07', work: '2027-11-08' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string }) => i.path)).toEqual(['off', 'work']);
    const shape = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/swaps', headers: admin, payload: { off: '2027-02-30', work: 'saturday', colour: 'red' } });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'off', 'work']);
    const outside = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/swaps', headers: admin, payload: { off: '2028-11-07', work: '2026-11-08' } });
    expect(outside.json().issues).toEqual([
      { path: 'off', message: 'phải thuộc năm 2027' },
      { path: 'work', message: 'phải thuộc năm 2027' },
    ]);
    const day = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/days', headers: admin, payload: { date: '2027-11-06', name: ' ' } });
    expect(day.json().issues.map((i: { path: string }) => i.path)).toEqual(['name']);
    const rest = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/days', headers: admin, payload: { date: '2027-11-06', name: 'x' } });
    expect([rest.statusCode, rest.json().issues[0].path]).toEqual([400, 'date']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/calendar/1999/days', headers: admin, payload: { date: '1999-11-01', name: 'x' } })).statusCode).toBe(400);

    expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2027/days/2027-11-03', headers: admin })).statusCode).toBe(404);
    // A statutory holiday (Quốc khánh) is not removed here.
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2027/days/2027-09-02', headers: admin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2027/days/2027-13-02', headers: admin })).statusCode).toBe(400);

    expect((await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/swaps', headers: admin, payload: { off: '2027-11-02', work: '2027-11-06' } })).statusCode).toBe(201);
    const again = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/swaps', headers: admin, payload: { off: '2027-11-03', work: '2027-11-06' } });
    // 6/11 is now a working day: the make-up day is refused as a field problem.
    expect(again.statusCode).toBe(400);
    const clash = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/days', headers: admin, payload: { date: '2027-11-06', name: 'x' } });
    expect(clash.statusCode).toBe(409);
    expect(await h.db.query<{ n: number }>('select count(*)::int as n from calendar_overrides')).toEqual([{ n: 2 }]);
    expect(await h.db.query<{ n: number }>("select count(*)::int as n from audit_log where entity = 'calendar'")).toEqual([{ n: 1 }]);
  });

  it('two edits of the same date at once: the second writes nothing, not even its audit row (the use case then answers 409)', async () => {
    const { h } = await setup();
    const row = { date: '2027-11-02', action: 'add' as const, kind: 'swap_off' as const, name: 'x', pairDate: '2027-11-06', createdBy: 'a' };
    const audit = (action: string) => ({ actor: 'a', year: 2027, action, detail: null });
    expect(await h.store.saveCalendarOverrides({ insert: [row], deleteDates: [] }, audit('first'), h.clock.now())).toBe(true);
    // The second's other day is free, but the whole change goes.
    expect(await h.store.saveCalendarOverrides({ insert: [{ ...row, date: '2027-11-13', kind: 'swap_work' }, row], deleteDates: [] }, audit('second'), h.clock.now())).toBe(false);
    expect((await h.store.calendarOverrides()).map((o) => o.date)).toEqual(['2027-11-02']);
    expect(await h.db.query("select action from audit_log where entity = 'calendar'")).toEqual([{ action: 'first' }]);
  });

  it('only an admin of the root unit edits: a district admin, an officer and a viewer get 403 and change nothing', async () => {
    const { h, app, token } = await setup();
    const root = await token('admin', 'tld');
    for (const who of [await token('admin', 'dmc'), await token('officer', 'tld'), await token('viewer', 'tld')]) {
      expect((await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/days', headers: who, payload: { date: '2027-11-01', name: 'x' } })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/swaps', headers: who, payload: { off: '2027-11-02', work: '2027-11-06' } })).statusCode).toBe(403);
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/calendar/2026/days/2026-01-02', headers: who })).statusCode).toBe(403);
      expect((await app.inject({ method: 'GET', url: '/api/v1/calendar/2027', headers: who })).statusCode).toBe(200);
    }
    expect(await h.db.query('select * from calendar_overrides')).toEqual([]);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/calendar/2027/days', headers: root, payload: { date: '2027-11-01', name: 'x' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().createdBy).toBe('token:admin-tld');
  });
});

describe('the calendar page of the console', () => {
  it('offers the root admin the swap and day-off forms, saves a swap with the CSRF token, lists problems, and shows others no forms', async () => {
    const { h, app, access, calendar } = await setup();
    const root = await signIn(app, access, h.clock, { username: 'tinh', role: 'admin', unitId: 'tld' });
    const page = await root.get('/calendar/2027');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('action="/calendar/2027/swaps"');

    expect((await root.form('/calendar/2027/swaps', { off: '2027-11-02', work: '2027-11-06' }, { csrf: false })).statusCode).toBe(403);
    const bad = await root.form('/calendar/2027/swaps', { off: '2027-11-07', work: '2027-11-08', name: '<b>x</b>' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('off: ');
    expect(bad.body).toContain('work: ');
    expect(bad.body).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
    const saved = await root.form('/calendar/2027/swaps', { off: '2027-11-02', work: '2027-11-06', name: '' });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, '/calendar/2027']);
    expect(calendar.isWorkingDay('2027-11-06')).toBe(true);
    const after = await root.get('/calendar/2027');
    expect(after.body).toContain('Làm bù cho thứ Ba, 02/11/2027');
    expect(after.body).toContain('action="/calendar/2027/days/2027-11-06/remove"');
    expect((await root.form('/calendar/2027/days/2027-11-06/remove')).statusCode).toBe(303);
    expect(calendar.isWorkingDay('2027-11-06')).toBe(false);

    const district = await signIn(app, access, h.clock, { username: 'huyen', role: 'admin', unitId: 'dmc' });
    const theirs = await district.get('/calendar/2027');
    expect(theirs.body).not.toContain('action="/calendar/2027/swaps"');
    const refused = await district.form('/calendar/2027/days', { date: '2027-11-01', name: 'x' });
    expect(refused.statusCode).toBe(403);
    expect(await h.db.query('select * from calendar_overrides')).toEqual([]);
  });
});
