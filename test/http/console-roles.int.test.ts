import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { LayeredCalendar } from '../../src/app/calendar-edit.js';
import type { Role } from '../../src/domain/access.js';
import { ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld, signIn } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

/**
 * The console pages added for calendar editing, unit editing and escalations, × each kind of
 * signed-in person (and nobody): the server decides, whatever the page offers. A refused post
 * writes nothing; a post without the session's CSRF token is refused even from the root's admin.
 */
type Who = 'anonymous' | 'viewer' | 'outsider' | 'officer' | 'root';
const PEOPLE: Record<Exclude<Who, 'anonymous'>, [Role, string]> = { root: ['admin', 'tld'], outsider: ['admin', 'td'], officer: ['officer', 'dmc.thpt-dmc'], viewer: ['viewer', 'dmc'] };
const ORDER: readonly Who[] = ['anonymous', 'viewer', 'outsider', 'officer', 'root'];

interface Route {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly form?: Record<string, string>;
  readonly expect: Record<Exclude<Who, 'anonymous'>, number>;
}
const everyone = (status: number) => ({ root: status, outsider: status, officer: status, viewer: status });
const rootOnly = (status: number) => ({ root: status, outsider: 403, officer: 403, viewer: 403 });
const ROUTES: readonly Route[] = [
  { method: 'GET', url: '/calendar/2027', expect: everyone(200) },
  { method: 'POST', url: '/calendar/2027/days', form: { date: '2027-11-01', name: 'Nghỉ thêm' }, expect: rootOnly(303) },
  { method: 'POST', url: '/calendar/2027/swaps', form: { off: '2027-11-02', work: '2027-11-06' }, expect: rootOnly(303) },
  { method: 'POST', url: '/calendar/2026/days/2026-01-02/remove', form: {}, expect: rootOnly(303) },
  { method: 'GET', url: '/escalations', expect: everyone(200) },
  // An admin over the unit: the root's (and dmc's, not tested here); another district's is refused.
  { method: 'GET', url: '/units/dmc.new/edit', expect: rootOnly(200) },
  { method: 'POST', url: '/units/dmc.new/edit', form: { name: 'CĐCS mới (đổi tên)', parentId: 'dmc' }, expect: rootOnly(303) },
];

let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

async function world() {
  const calendar = new LayeredCalendar(loaded.catalogue.calendarRules, loaded.catalogue.decrees, dateHolidaysLunar());
  const { h, app, access } = await httpWorld({ start: '2027-11-02T10:00:00+07:00', loaded: { catalogue: loaded.catalogue, calendar }, cleanups, plan: ['dmc-159-2020.thematic-report'] });
  const created = await app.inject({ method: 'POST', url: '/api/v1/units', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { id: 'dmc.new', name: 'CĐCS mới', kind: 'grassroots', parentId: 'dmc' } });
  expect(created.statusCode).toBe(201);
  const sessions = {} as Record<Exclude<Who, 'anonymous'>, { cookie: string; csrf: string }>;
  for (const [who, [role, unitId]] of Object.entries(PEOPLE) as [Exclude<Who, 'anonymous'>, [Role, string]][]) {
    const client = await signIn(app, access, h.clock, { username: who, role, unitId });
    sessions[who] = { cookie: client.cookie, csrf: await client.csrf() };
  }
  const written = () =>
    h.db.query(`select (select count(*)::int from audit_log) as audit, (select count(*)::int from calendar_overrides) as calendar, (select string_agg(name || parent_id, ',') from units where id = 'dmc.new') as unit`);
  return { app, sessions, written };
}

describe('the new console pages answer each kind of caller as its role allows', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.url}`, r] as const))('%s', async (_name, route) => {
    const w = await world();
    const send = (headers: Record<string, string>, form?: Record<string, string>) =>
      w.app.inject({ method: route.method, url: route.url, headers: { ...headers, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, ...(form ? { payload: new URLSearchParams(form).toString() } : {}) });
    for (const who of ORDER) {
      const before = await w.written();
      if (who === 'anonymous') {
        const r = await send({}, route.form);
        expect([r.statusCode, r.headers.location], `${route.method} ${route.url} signed out`).toEqual([303, '/login']);
        continue;
      }
      const { cookie, csrf } = w.sessions[who];
      if (route.form) {
        // Without the session's CSRF token nobody changes anything.
        expect((await send({ cookie }, route.form)).statusCode, `${who} without CSRF`).toBe(403);
        expect(await w.written()).toEqual(before);
      }
      const r = await send({ cookie }, route.form && { _csrf: csrf, ...route.form });
      expect(r.statusCode, `${route.method} ${route.url} as ${who}: ${r.body.slice(0, 300)}`).toBe(route.expect[who]);
      if (r.statusCode === 403) {
        expect(r.body).toContain('Không có quyền');
        expect(await w.written()).toEqual(before);
      }
      if (route.method === 'POST' && r.statusCode === 303) expect(await w.written()).not.toEqual(before);
    }
  });
});
