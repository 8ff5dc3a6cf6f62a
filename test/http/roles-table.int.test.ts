import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { createApiToken } from '../../src/app/access.js';
import { completeAssignment } from '../../src/app/assignments.js';
import { LayeredCalendar } from '../../src/app/calendar-edit.js';
import { OPERATIONS } from '../../src/http/openapi.js';
import { ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

/**
 * Every /api/v1 operation × every kind of caller, with the status the server must answer:
 * - root: an admin of the root unit (tld, LĐLĐ tỉnh);
 * - outsider: an admin of a child unit (td) acting on another district's (dmc) things;
 * - officer: an officer of the school whose assignment it is (dmc.thpt-dmc);
 * - viewer: a leader of its district (dmc), reading;
 * - anonymous: no token (and a wrong one).
 * Refused callers run first and must change nothing; a caller that succeeds gets a fresh record
 * for the next one, so each expected status holds on its own. Where an operation names an id,
 * the root admin also gets 404 for one that does not exist.
 */
const OBLIGATION = 'dmc-159-2020.thematic-report';
const UNIT = 'dmc.thpt-dmc';
/** Has a pending extension request (approve / reject). */
const ASKING = 'dmc.ubnd-suoi-da';
/** Completed already (reopen). */
const DONE = 'dmc.cty-cao-su-minh-chau';
const DIRECTIVE = { id: 'dmc-200-2027', number: '200/LĐLĐ', issuer: 'LĐLĐ huyện Dương Minh Châu', issuedOn: '2027-09-15', title: 'V/v báo cáo quý' };
const CONSOLE_OBLIGATION = { id: 'dmc-200-2027.quarterly-report', directiveId: DIRECTIVE.id, title: 'Báo cáo quý', rule: { kind: 'quarterly', monthOfQuarter: 3, day: 20 }, assignees: { childrenOf: ['dmc'] } };
const CONSOLE_UNIT = { id: 'dmc.new', name: 'CĐCS mới', kind: 'grassroots', parentId: 'dmc' };
const CONSOLE_CONTACT = { id: 'dmc.thpt-dmc.moi', unitId: UNIT, name: 'Người mới', email: 'moi@example.org' };

type Who = 'anonymous' | 'viewer' | 'outsider' | 'officer' | 'root';
const ORDER: readonly Who[] = ['anonymous', 'viewer', 'outsider', 'officer', 'root'];
const UNITS: Record<Exclude<Who, 'anonymous'>, [string, string]> = { root: ['admin', 'tld'], outsider: ['admin', 'td'], officer: ['officer', UNIT], viewer: ['viewer', 'dmc'] };

interface Fixture {
  readonly extensionId: number;
}
interface Case {
  readonly url: (f: Fixture) => string;
  readonly body?: object;
  readonly expect: Record<Exclude<Who, 'anonymous'>, number>;
  /** What a successful answer holds for this caller (lists are filtered to the caller's scope). */
  readonly check?: (body: any, who: Exclude<Who, 'anonymous'>) => void;
  /** The same operation on an id that does not exist, as the root admin: 404. */
  readonly missing?: { readonly url: (f: Fixture) => string; readonly body?: object };
}

const A = (unit: string, action = '', obligation = OBLIGATION) => `/api/v1/assignments/${obligation}/2027/${unit}${action}`;
const all = (status: number) => ({ root: status, outsider: status, officer: status, viewer: status });
const rootOnly = (status: number) => ({ root: status, outsider: 403, officer: 403, viewer: 403 });
const ASSIGNMENT = '/api/v1/assignments/{obligationId}/{occurrenceKey}/{unitId}';

const CASES: Record<string, Case> = {
  [`get ${ASSIGNMENT}`]: { url: () => A(UNIT), expect: { root: 200, outsider: 403, officer: 200, viewer: 200 }, missing: { url: () => A(UNIT, '', 'nope') } },
  [`post ${ASSIGNMENT}/complete`]: { url: () => A(UNIT, '/complete'), body: {}, expect: { root: 200, outsider: 403, officer: 200, viewer: 403 }, missing: { url: () => A(UNIT, '/complete', 'nope'), body: {} } },
  [`post ${ASSIGNMENT}/reopen`]: { url: () => A(DONE, '/reopen'), body: { reason: 'nộp nhầm' }, expect: rootOnly(200), missing: { url: () => A(DONE, '/reopen', 'nope'), body: { reason: 'x' } } },
  [`post ${ASSIGNMENT}/acknowledge`]: { url: () => A(UNIT, '/acknowledge'), body: { step: '7d' }, expect: { root: 200, outsider: 403, officer: 200, viewer: 403 }, missing: { url: () => A(UNIT, '/acknowledge', 'nope'), body: { step: '7d' } } },
  [`post ${ASSIGNMENT}/waive`]: { url: () => A(UNIT, '/waive'), body: { reason: 'sáp nhập' }, expect: rootOnly(200), missing: { url: () => A(UNIT, '/waive', 'nope'), body: { reason: 'x' } } },
  [`post ${ASSIGNMENT}/extension-requests`]: {
    url: () => A(UNIT, '/extension-requests'),
    body: { reason: 'chờ số liệu', proposedDue: '2027-11-20' },
    expect: { root: 201, outsider: 403, officer: 201, viewer: 403 },
    missing: { url: () => A(UNIT, '/extension-requests', 'nope'), body: { reason: 'x', proposedDue: '2027-11-20' } },
  },
  'get /api/v1/extension-requests': {
    url: () => '/api/v1/extension-requests',
    expect: all(200),
    // The school's officer and the other district see no request of the commune's union.
    check: (body, who) => expect(body.extensionRequests.map((r: { unitId: string }) => r.unitId)).toEqual(who === 'root' || who === 'viewer' ? [ASKING] : []),
  },
  'post /api/v1/extension-requests/{id}/approve': { url: (f) => `/api/v1/extension-requests/${f.extensionId}/approve`, body: {}, expect: rootOnly(200), missing: { url: () => '/api/v1/extension-requests/999999/approve', body: {} } },
  'post /api/v1/extension-requests/{id}/reject': { url: (f) => `/api/v1/extension-requests/${f.extensionId}/reject`, body: {}, expect: rootOnly(200), missing: { url: () => '/api/v1/extension-requests/999999/reject', body: {} } },
  // An officer's report is its own unit; asking for its district is refused.
  'get /api/v1/report': { url: () => '/api/v1/report?unit=dmc', expect: { root: 200, outsider: 403, officer: 403, viewer: 200 }, missing: { url: () => '/api/v1/report?unit=nowhere' } },
  'get /api/v1/deliveries': { url: () => `/api/v1/deliveries?unit=${UNIT}`, expect: { root: 200, outsider: 403, officer: 200, viewer: 200 }, missing: { url: () => '/api/v1/deliveries?unit=nowhere' } },
  'post /api/v1/preview': { url: () => '/api/v1/preview', body: { rule: { kind: 'yearly', month: 10, day: 30 } }, expect: all(200) },
  'get /api/v1/directives': { url: () => '/api/v1/directives', expect: all(200) },
  // A directive is a header with no unit: any admin adds one (its obligations are what is scoped).
  'post /api/v1/directives': { url: () => '/api/v1/directives', body: { ...DIRECTIVE, id: 'dmc-201-2027' }, expect: { root: 201, outsider: 201, officer: 403, viewer: 403 } },
  // Lists are filtered to the caller's scope, never refused.
  'get /api/v1/obligations': {
    url: () => `/api/v1/obligations?unit=${UNIT}`,
    expect: all(200),
    check: (body, who) => expect(body.obligations.some((o: { id: string }) => o.id === OBLIGATION)).toBe(who !== 'outsider'),
  },
  // Outside the caller's scope an obligation does not exist.
  'get /api/v1/obligations/{id}': { url: () => `/api/v1/obligations/${OBLIGATION}`, expect: { root: 200, outsider: 404, officer: 200, viewer: 200 }, missing: { url: () => '/api/v1/obligations/nope' } },
  'post /api/v1/obligations': { url: () => '/api/v1/obligations', body: { ...CONSOLE_OBLIGATION, id: 'dmc-200-2027.other', assignees: { units: [UNIT] } }, expect: rootOnly(201), missing: { url: () => '/api/v1/obligations', body: { ...CONSOLE_OBLIGATION, id: 'dmc-200-2027.other', directiveId: 'nope' } } },
  'put /api/v1/obligations/{id}': {
    url: () => `/api/v1/obligations/${CONSOLE_OBLIGATION.id}`,
    body: { ...CONSOLE_OBLIGATION, title: 'Báo cáo quý (sửa)' },
    expect: rootOnly(200),
    missing: { url: () => '/api/v1/obligations/dmc-200-2027.nope', body: { ...CONSOLE_OBLIGATION, id: 'dmc-200-2027.nope' } },
  },
  'delete /api/v1/obligations/{id}': { url: () => `/api/v1/obligations/${CONSOLE_OBLIGATION.id}`, expect: rootOnly(204), missing: { url: () => '/api/v1/obligations/nope' } },
  'get /api/v1/units': {
    url: () => '/api/v1/units',
    expect: all(200),
    check: (body, who) => {
      const ids = body.units.map((u: { id: string }) => u.id);
      expect(ids.includes(UNIT)).toBe(who !== 'outsider');
      expect(ids.includes('td')).toBe(who === 'root' || who === 'outsider');
      if (who === 'officer') expect(ids).toEqual([UNIT]);
    },
  },
  'post /api/v1/units': { url: () => '/api/v1/units', body: { ...CONSOLE_UNIT, id: 'dmc.x' }, expect: rootOnly(201), missing: { url: () => '/api/v1/units', body: { ...CONSOLE_UNIT, id: 'dmc.x', parentId: 'nowhere' } } },
  'patch /api/v1/units/{id}': { url: () => `/api/v1/units/${CONSOLE_UNIT.id}`, body: { name: 'CĐCS mới (đổi tên)' }, expect: rootOnly(200), missing: { url: () => '/api/v1/units/nowhere', body: { name: 'x' } } },
  'post /api/v1/contacts': { url: () => '/api/v1/contacts', body: { ...CONSOLE_CONTACT, id: 'dmc.thpt-dmc.x' }, expect: rootOnly(201), missing: { url: () => '/api/v1/contacts', body: { ...CONSOLE_CONTACT, id: 'dmc.thpt-dmc.x', unitId: 'nowhere' } } },
  'put /api/v1/contacts/{id}': { url: () => `/api/v1/contacts/${CONSOLE_CONTACT.id}`, body: { ...CONSOLE_CONTACT, name: 'Người mới (sửa)' }, expect: rootOnly(200), missing: { url: () => '/api/v1/contacts/dmc.nope', body: { ...CONSOLE_CONTACT, id: 'dmc.nope' } } },
  'delete /api/v1/contacts/{id}': { url: () => `/api/v1/contacts/${CONSOLE_CONTACT.id}`, expect: rootOnly(204), missing: { url: () => '/api/v1/contacts/dmc.nope' } },
  'get /api/v1/calendar/{year}': { url: () => '/api/v1/calendar/2027', expect: all(200) },
  // One calendar for every unit: only the root's admin edits it.
  'post /api/v1/calendar/{year}/days': { url: () => '/api/v1/calendar/2027/days', body: { date: '2027-11-01', name: 'Nghỉ thêm' }, expect: rootOnly(201) },
  'post /api/v1/calendar/{year}/swaps': { url: () => '/api/v1/calendar/2027/swaps', body: { off: '2027-11-02', work: '2027-11-06' }, expect: rootOnly(201) },
  'delete /api/v1/calendar/{year}/days/{date}': { url: () => '/api/v1/calendar/2026/days/2026-01-02', expect: rootOnly(204), missing: { url: () => '/api/v1/calendar/2027/days/2027-11-03' } },
  'post /api/v1/occurrences/{obligationId}/{occurrenceKey}/remind-now': {
    url: () => `/api/v1/occurrences/${OBLIGATION}/2027/remind-now`,
    expect: rootOnly(202),
    missing: { url: () => '/api/v1/occurrences/nope/2027/remind-now' },
  },
  'get /api/v1/me': { url: () => '/api/v1/me', expect: all(200), check: (body, who) => expect(body).toEqual({ role: UNITS[who][0], unitId: UNITS[who][1], actor: `token:${who}` }) },
};

let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);
const rootToken = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The record every case starts from (written by the bootstrap admin). */
async function world() {
  const calendar = new LayeredCalendar(loaded.catalogue.calendarRules, loaded.catalogue.decrees, dateHolidaysLunar());
  const { h, app, access } = await httpWorld({ start: '2027-10-22T09:00:00+07:00', loaded: { catalogue: loaded.catalogue, calendar }, cleanups, plan: [OBLIGATION] });
  const request = await h.store.createExtensionRequest({ obligationId: OBLIGATION, occurrenceKey: '2027', unitId: ASKING }, { reason: 'x', proposedDue: '2027-11-20', previousDue: '2027-11-01', requestedBy: 't' }, h.clock.now());
  await completeAssignment(h.assignments, { obligationId: OBLIGATION, occurrenceKey: '2027', unitId: DONE }, { actor: 't' });
  for (const [url, payload] of [
    ['/api/v1/directives', DIRECTIVE],
    ['/api/v1/obligations', CONSOLE_OBLIGATION],
    ['/api/v1/units', CONSOLE_UNIT],
    ['/api/v1/contacts', CONSOLE_CONTACT],
  ] as const) {
    const r = await app.inject({ method: 'POST', url, headers: rootToken, payload });
    expect(r.statusCode, `${url}: ${r.body}`).toBe(201);
  }
  const headers = {} as Record<Who, Record<string, string>>;
  headers.anonymous = {};
  for (const [who, [role, unitId]] of Object.entries(UNITS) as [Exclude<Who, 'anonymous'>, [string, string]][]) {
    const token = (await createApiToken({ store: access, clock: h.clock }, { name: who, role: role as 'admin', unitId, createdBy: 't' })).token;
    headers[who] = { authorization: `Bearer ${token}` };
  }
  const written = () =>
    h.db.query(
      `select (select count(*)::int from audit_log) as audit, (select count(*)::int from deliveries) as deliveries, (select count(*)::int from calendar_overrides) as calendar,
              (select count(*)::int from extension_requests) as extensions, (select count(*)::int from api_tokens) as tokens`,
    );
  return { h, app, headers, fixture: { extensionId: request!.id } as Fixture, written };
}

describe('every /api/v1 operation answers each kind of caller as its role allows', () => {
  it('has an expectation for every documented operation, and none for an operation that is not documented', () => {
    expect(Object.keys(CASES).sort()).toEqual(OPERATIONS.map((op) => `${op.method} ${op.path}`).sort());
  });

  it.each(OPERATIONS.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s', async (_name, op) => {
    const c = CASES[`${op.method} ${op.path}`]!;
    const method = op.method.toUpperCase() as 'GET';
    const send = (w: Awaited<ReturnType<typeof world>>, url: string, headers: Record<string, string>, body = c.body) =>
      w.app.inject({ method, url, headers, ...(body !== undefined ? { payload: body } : {}) });
    let w = await world();
    let dirty = false;
    for (const who of ORDER) {
      if (dirty) {
        w = await world();
        dirty = false;
      }
      const url = c.url(w.fixture);
      const before = await w.written();
      if (who === 'root' && c.missing) {
        // Before the root admin's own call changes anything: the same operation on an id that does not exist.
        const missing = await send(w, c.missing.url(w.fixture), w.headers.root, c.missing.body);
        expect(missing.statusCode, `${method} ${c.missing.url(w.fixture)} (unknown id) as root: ${missing.body}`).toBe(404);
        expect(await w.written()).toEqual(before);
      }
      if (who === 'anonymous') {
        expect((await send(w, url, {})).statusCode, `${method} ${url} without a token`).toBe(401);
        expect((await send(w, url, { authorization: 'Bearer hct_wrong' })).statusCode, `${method} ${url} with a wrong token`).toBe(401);
        expect(await w.written()).toEqual(before);
        continue;
      }
      const r = await send(w, url, w.headers[who]);
      expect(r.statusCode, `${method} ${url} as ${who}: ${r.body}`).toBe(c.expect[who]);
      if (r.statusCode < 400) c.check?.(r.json(), who);
      if (r.statusCode >= 400) expect(await w.written(), `${who} refused, nothing written`).toEqual(before);
      else dirty = method !== 'GET' && op.path !== '/api/v1/preview';
    }
  });
});
