import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../../src/app/access.js';
import { requestExtension } from '../../src/app/assignments.js';
import type { Role } from '../../src/domain/access.js';
import { ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld, logIn, signIn } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
const UNIT = 'dmc.thpt-dmc';
const OTHER = 'dmc.ubnd-suoi-da';
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

const path = (unitId: string, action = '') => `/api/v1/assignments/${OBLIGATION}/2027/${unitId}${action}`;

async function setup() {
  const { h, app, access: store } = await httpWorld({ start: '2027-10-25T09:00:00+07:00', loaded, cleanups, plan: [OBLIGATION] });
  const token = async (role: Role, unitId: string | null, name = `${role}-${unitId}`) =>
    (await createApiToken({ store, clock: h.clock }, { name, role, unitId, createdBy: 'test' })).token;
  return { h, app, store, token };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('API roles, enforced on the server', () => {
  it('an officer completes its own unit\'s assignment, not another\'s; a viewer reads and changes nothing; a revoked token is refused', async () => {
    const { h, app, store, token } = await setup();
    const officer = await token('officer', UNIT);
    const viewer = await token('viewer', 'dmc');
    const before = await h.db.query('select unit_id, status from assignments order by unit_id');

    const foreign = await app.inject({ method: 'POST', url: path(OTHER, '/complete'), headers: bearer(officer), payload: {} });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().message).toContain('không có quyền');
    expect((await app.inject({ method: 'POST', url: path(UNIT, '/complete'), headers: bearer(viewer), payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: path(UNIT, '/waive'), headers: bearer(officer), payload: { reason: 'x' } })).statusCode).toBe(403);
    expect(await h.db.query('select unit_id, status from assignments order by unit_id')).toEqual(before);

    expect((await app.inject({ method: 'GET', url: path(OTHER), headers: bearer(viewer) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: path(OTHER), headers: bearer(officer) })).statusCode).toBe(403);
    const done = await app.inject({ method: 'POST', url: path(UNIT, '/complete'), headers: bearer(officer), payload: { actor: 'someone else' } });
    expect(done.statusCode).toBe(200);
    expect(done.json().assignment.completedBy).toBe(`token:officer-${UNIT}`);

    // An officer's report is its own unit only; a viewer's covers its own subtree by default and nothing outside it.
    const own = (await app.inject({ method: 'GET', url: '/api/v1/report', headers: bearer(officer) })).json();
    expect(own.units.map((u: { unitId: string }) => u.unitId)).toEqual([UNIT]);
    const report = await app.inject({ method: 'GET', url: '/api/v1/report', headers: bearer(viewer) });
    expect(report.json().scope.unitId).toBe('dmc');
    expect((await app.inject({ method: 'GET', url: '/api/v1/report?unit=td', headers: bearer(viewer) })).statusCode).toBe(403);

    const [row] = await store.apiTokens();
    await store.revokeApiToken(row!.id, h.clock.now());
    expect((await app.inject({ method: 'GET', url: path(UNIT), headers: bearer(officer) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: path(UNIT), headers: bearer('hct_not-a-token') })).statusCode).toBe(401);
  });

  it('an extension is decided by an admin above the unit that asked, never by that unit\'s own admin', async () => {
    const { h, app, token } = await setup();
    const request = await requestExtension(h.assignments, { obligationId: OBLIGATION, occurrenceKey: '2027', unitId: UNIT }, { actor: 't', reason: 'x', proposedDue: '2027-11-10' });
    const ownAdmin = await token('admin', UNIT);
    const otherDistrict = await token('admin', 'td');
    const district = await token('admin', 'dmc');
    for (const t of [ownAdmin, otherDistrict]) {
      expect((await app.inject({ method: 'POST', url: `/api/v1/extension-requests/${request.id}/approve`, headers: bearer(t), payload: {} })).statusCode).toBe(403);
    }
    expect((await h.store.extensionRequest(request.id))?.status).toBe('pending');
    // The other district does not even see it in the list.
    expect((await app.inject({ method: 'GET', url: '/api/v1/extension-requests', headers: bearer(otherDistrict) })).json().extensionRequests).toEqual([]);
    const approved = await app.inject({ method: 'POST', url: `/api/v1/extension-requests/${request.id}/approve`, headers: bearer(district), payload: {} });
    expect(approved.json()).toMatchObject({ status: 'approved', decidedBy: 'token:admin-dmc' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(ADMIN_TOKEN) })).json()).toEqual({ role: 'admin', unitId: null, actor: 'api:admin' });
  });
});

describe('console: API tokens', () => {
  it('an admin creates a token (shown once) within its scope and revokes it; a viewer may not', async () => {
    const { h, app, store } = await setup();
    const admin = await signIn(app, store, h.clock, { username: 'vp', role: 'admin', unitId: 'dmc' });
    const created = await admin.form('/tokens', { name: 'erp', role: 'viewer', unit: UNIT });
    expect(created.statusCode).toBe(201);
    const token = /<code id="new-token">([^<]+)<\/code>/.exec(created.body)![1]!;
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).json()).toEqual({ role: 'viewer', unitId: UNIT, actor: 'token:erp' });
    expect((await admin.get('/tokens')).body).not.toContain(token);
    expect((await admin.form('/tokens', { name: 'x', role: 'admin', unit: 'td' })).statusCode).toBe(403);
    const [row] = await store.apiTokens();
    expect((await admin.form(`/tokens/${row!.id}/revoke`)).statusCode).toBe(303);
    expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401);

    const viewer = await signIn(app, store, h.clock, { username: 'xem', role: 'viewer', unitId: 'dmc', password: 'mật khẩu chỉ xem 1' });
    expect((await viewer.get('/tokens')).statusCode).toBe(403);
  });
});

describe('console sessions', () => {
  it('signs in with a scrypt password, calls the API with the CSRF token (and not without it), signs out', async () => {
    const { h, app, store } = await setup();
    await createUser({ store, clock: h.clock }, { username: 'Lan.Officer', displayName: 'Nguyễn Thị Lan', password: 'mật khẩu dài 123', role: 'officer', unitId: UNIT });
    const [stored] = await h.db.query<{ password_hash: string }>('select password_hash from users');
    expect(stored!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored!.password_hash).not.toContain('mật khẩu');

    const lan = await logIn(app, 'lan.officer', 'mật khẩu dài 123');
    expect(lan.login.statusCode).toBe(303);
    expect(String(lan.login.headers['set-cookie'])).toMatch(/^hc_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax/);
    const session = lan.cookie;
    const dashboard = await lan.get('/');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Nguyễn Thị Lan');
    expect(dashboard.body).toContain('CĐCS Trường THPT Dương Minh Châu');
    const calendar = await app.inject({ method: 'GET', url: '/calendar/2026', headers: { cookie: session } });
    expect(calendar.body).toContain('Lịch nghỉ năm 2026');
    expect(calendar.body).toContain('thứ Tư, 02/09/2026');
    expect((await app.inject({ method: 'GET', url: '/units', headers: { cookie: session } })).body).toMatch(/href="https:\/\/hanchot\.ldld-dmc\.example\.vn\/ical\/f1\.[^"]+\.ics"/);
    // An officer sees its own unit only: another union's assignment page is refused, the tree shows its unit alone.
    expect((await app.inject({ method: 'GET', url: `/assignments/${OBLIGATION}/2027/${OTHER}`, headers: { cookie: session } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/assignments/${OBLIGATION}/2027/${UNIT}`, headers: { cookie: session } })).statusCode).toBe(200);
    const tree = (await app.inject({ method: 'GET', url: '/units', headers: { cookie: session } })).body;
    expect(tree).toContain('CĐCS Trường THPT Dương Minh Châu');
    expect(tree).not.toContain('CĐCS UBND xã Suối Đá');
    expect(tree).not.toContain('chutich');
    // A console form posted without the session's token changes nothing.
    const forged = await app.inject({ method: 'POST', url: path(UNIT, '').replace('/api/v1/assignments', '/assignments') + '/complete', headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'note=x' });
    expect(forged.statusCode).toBe(403);

    expect((await app.inject({ method: 'GET', url: path(UNIT), headers: { cookie: session } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: path(UNIT, '/complete'), headers: { cookie: session }, payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: path(UNIT, '/complete'), headers: { cookie: session, 'x-csrf-token': 'wrong' }, payload: {} })).statusCode).toBe(403);
    expect((await h.store.assignment({ obligationId: OBLIGATION, occurrenceKey: '2027', unitId: UNIT }))?.status).toBe('pending');
    const done = await lan.post(path(UNIT, '/complete'));
    expect(done.json().assignment.completedBy).toBe('user:lan.officer');

    const out = await lan.form('/logout');
    expect(out.statusCode).toBe(303);
    expect((await app.inject({ method: 'GET', url: path(UNIT), headers: { cookie: session } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/', headers: { cookie: session } })).headers.location).toBe('/login');
  });

  it('refuses a wrong password with one message for unknown and known users, and locks out after five failures', async () => {
    const { h, app, store } = await setup();
    await createUser({ store, clock: h.clock }, { username: 'an', displayName: 'An', password: 'mật khẩu đúng 456', role: 'viewer', unitId: 'dmc' });
    const attempt = (username: string, password: string) =>
      app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username, password }).toString() });
    const unknown = await attempt('nobody', 'whatever-123');
    const wrong = await attempt('an', 'sai mật khẩu');
    expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(unknown.body).toContain('tên đăng nhập hoặc mật khẩu không đúng');
    expect(wrong.body).toContain('tên đăng nhập hoặc mật khẩu không đúng');
    for (let i = 0; i < 4; i++) await attempt('an', `sai ${i}`);
    const locked = await attempt('an', 'mật khẩu đúng 456');
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('sai quá nhiều lần');
    // After the window, the right password works again.
    h.clock.set('2027-10-25T09:30:00+07:00');
    expect((await attempt('an', 'mật khẩu đúng 456')).statusCode).toBe(303);
  });
});
