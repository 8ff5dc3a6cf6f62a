import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { completeAssignment, decideExtension, requestExtension, AssignmentError, acknowledgeAssignment, waiveAssignment, reopenAssignment } from '../../src/app/assignments.js';
import type { Catalogue } from '../../src/app/catalogue/catalogue.js';
import { deliverMessage } from '../../src/app/deliver.js';
import { fireEscalation } from '../../src/app/escalate.js';
import { fanOut } from '../../src/app/fan-out.js';
import { escalationJobId } from '../../src/app/job-queue.js';
import { planDigests, sendLeadershipDigest } from '../../src/app/leadership-digest.js';
import { DEFAULT_PLANNING } from '../../src/app/plan.js';
import { signLink } from '../../src/domain/signed-link.js';
import type { LeadershipDigest } from '../../src/domain/leadership-digest.js';
import { environmentSchema } from '../../src/main/environment.js';
import { createComposer } from '../../src/main/messaging.js';
import { followUpHarness, runPlanner, ADMIN_TOKEN, PUBLIC_URL, type FollowUpHarness } from '../support/follow-up-harness.js';
import { TEST_SECRET } from '../support/secret.js';
import { CONFIG_DIR, shippedConfig } from '../support/shipped-config.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { cleanupList, until } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
const UNIT = 'dmc.thpt-dmc';
const OTHER = 'dmc.ubnd-suoi-da';
const REF = { obligationId: OBLIGATION, occurrenceKey: '2027', unitId: UNIT };
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

async function harness(options: { start: string; smtp?: TestSmtp; bullmq?: boolean; catalogue?: Catalogue }): Promise<FollowUpHarness> {
  const h = await followUpHarness({ start: options.start, loaded, smtpUrl: options.smtp?.url, bullmq: options.bullmq });
  cleanups.push(() => h.dispose());
  await h.sync(options.catalogue ?? loaded.catalogue);
  return h;
}

async function smtpServer(): Promise<TestSmtp> {
  const smtp = await startSmtp();
  cleanups.push(() => smtp.close());
  return smtp;
}

const withRule = (id: string, rule: Catalogue['obligations'][number]['rule']): Catalogue => ({
  ...loaded.catalogue,
  obligations: loaded.catalogue.obligations.map((o) => (o.id === id ? { ...o, rule } : o)),
});

function link(h: FollowUpHarness, action: 'done' | 'ack', overrides: Partial<{ unitId: string; contactId: string; step: string; expiresAt: number }> = {}): string {
  return signLink(
    {
      action,
      obligationId: OBLIGATION,
      occurrenceKey: '2027',
      unitId: overrides.unitId ?? UNIT,
      contactId: overrides.contactId ?? `${UNIT}.chairman`,
      step: overrides.step ?? '7d',
      expiresAt: overrides.expiresAt ?? Math.floor(h.clock.now().plus({ days: 30 }).toSeconds()),
    },
    TEST_SECRET,
  );
}

/** Everything a link or an API call could change: the assignments, the audit log, the extension requests, the deliveries. */
async function snapshot(h: FollowUpHarness) {
  return {
    assignments: await h.db.query('select * from assignments order by obligation_id, occurrence_key, unit_id'),
    audit: await h.db.query('select actor, entity, entity_id, action, detail from audit_log order by id'),
    extensions: await h.db.query('select * from extension_requests order by id'),
    deliveries: await h.db.query('select idempotency_key, status from deliveries order by idempotency_key'),
  };
}

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});
const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
const apiPath = (ref = REF) => `/api/v1/assignments/${encodeURIComponent(ref.obligationId)}/${encodeURIComponent(ref.occurrenceKey)}/${encodeURIComponent(ref.unitId)}`;

describe('completion through a signed one-click link', () => {
  it('GET shows a confirmation page and changes nothing (mail scanners prefetch); POST completes once; a replay is harmless', async () => {
    // Monday 25/10/2027: the 30/10 report (effective due Monday 01/11) is still ahead.
    const h = await harness({ start: '2027-10-25T09:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const app = await h.http();
    cleanups.push(() => app.close());
    const token = link(h, 'done');
    const before = await snapshot(h);
    for (let i = 0; i < 3; i++) {
      const page = await app.inject({ method: 'GET', url: `/l/${token}` });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('Xác nhận đã hoàn thành');
      expect(page.body).toContain('Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
      expect(page.body).toContain('thứ Hai, 01/11/2027');
      expect(page.body).not.toContain('<script');
    }
    expect(await snapshot(h)).toEqual(before);

    const done = await app.inject({ method: 'POST', url: `/l/${token}`, ...form({ intent: 'done', note: 'Đã gửi báo cáo <b>qua email</b>', evidence: 'https://drive.example.vn/bao-cao' }) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('hoàn thành đúng hạn');
    expect(done.body).not.toContain('<b>qua email</b>');
    const a = await h.store.assignment(REF);
    expect(a).toMatchObject({ status: 'done_on_time', completedBy: `contact:${UNIT}.chairman`, note: 'Đã gửi báo cáo <b>qua email</b>', evidence: 'https://drive.example.vn/bao-cao' });
    const audit = await h.store.auditOf('assignment', `${OBLIGATION}|2027|${UNIT}`);
    expect(audit.map((r) => [r.actor, r.action])).toEqual([[`contact:${UNIT}.chairman`, 'complete']]);

    const afterFirst = await snapshot(h);
    const replay = await app.inject({ method: 'POST', url: `/l/${token}`, ...form({ intent: 'done' }) });
    expect(replay.statusCode).toBe(200);
    expect(replay.body).toContain('Đã hoàn thành từ trước');
    expect(await snapshot(h)).toEqual(afterFirst);
  });

  it('a tampered, an expired, a truncated and a foreign-secret link each get a clear page and change nothing', async () => {
    const h = await harness({ start: '2027-10-25T09:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const app = await h.http();
    cleanups.push(() => app.close());
    const good = link(h, 'done');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const otherUnitClaims = link(h, 'done', { unitId: OTHER });
    const cases: [string, string, number, string][] = [
      ['signature changed', flip(good, good.length - 3), 400, 'đã bị sửa đổi'],
      ['claims changed', `${otherUnitClaims.split('.').slice(0, 2).join('.')}.${good.split('.')[2]}`, 400, 'đã bị sửa đổi'],
      ['expired', link(h, 'done', { expiresAt: Math.floor(h.clock.now().minus({ minutes: 1 }).toSeconds()) }), 410, 'đã hết hạn'],
      ['truncated', good.slice(0, 20), 400, 'không đúng dạng'],
      ['signed with another secret', signLink({ action: 'done', obligationId: OBLIGATION, occurrenceKey: '2027', unitId: UNIT, contactId: 'x', step: '7d', expiresAt: 4_000_000_000 }, 'another-secret-0123456789'), 400, 'đã bị sửa đổi'],
    ];
    const before = await snapshot(h);
    for (const [name, token, status, words] of cases) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await app.inject({ method, url: `/l/${token}`, ...(method === 'POST' ? form({ intent: 'done' }) : {}) });
        expect(r.statusCode, `${name} ${method}`).toBe(status);
        expect(r.body, name).toContain(words);
        expect(r.body).not.toMatch(/at .*\.js:\d+/);
      }
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('an "Đã nhận" link only acknowledges; a bad evidence link is refused with nothing written; an extension can be asked from the page', async () => {
    const h = await harness({ start: '2027-10-25T09:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const app = await h.http();
    cleanups.push(() => app.close());
    const ack = await app.inject({ method: 'POST', url: `/l/${link(h, 'ack', { step: '7d' })}`, ...form({ intent: 'done' }) });
    expect(ack.statusCode).toBe(200);
    expect(ack.body).toContain('đã nhận thông báo');
    expect(await h.store.assignment(REF)).toMatchObject({ status: 'pending', acknowledgedStep: '7d' });

    const before = await snapshot(h);
    const bad = await app.inject({ method: 'POST', url: `/l/${link(h, 'done')}`, ...form({ intent: 'done', evidence: 'javascript:alert(1)' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('minh chứng phải là một liên kết');
    expect(await snapshot(h)).toEqual(before);

    const ext = await app.inject({ method: 'POST', url: `/l/${link(h, 'done')}`, ...form({ intent: 'extend', proposedDue: '2027-11-15', reason: 'Chờ số liệu của công đoàn bộ phận' }) });
    expect(ext.statusCode).toBe(200);
    expect(ext.body).toContain('Đề nghị gia hạn đến 15/11/2027 đã được gửi');
    expect(await h.store.extensionRequests({ status: 'pending' })).toMatchObject([{ unitId: UNIT, proposedDue: '2027-11-15', requestedBy: `contact:${UNIT}.chairman` }]);
  });
});

describe('the assignments API (bearer token)', () => {
  it('authenticates, validates every field, answers 404/409, and completes, reopens, waives and decides extensions', async () => {
    const h = await harness({ start: '2027-10-25T09:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const app = await h.http();
    cleanups.push(() => app.close());
    const before = await snapshot(h);
    expect((await app.inject({ method: 'POST', url: `${apiPath()}/complete` })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: `${apiPath()}/complete`, headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    const invalid = await app.inject({ method: 'POST', url: `${apiPath()}/complete`, headers: bearer, payload: { note: 5, colour: 'red' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'note']);
    expect((await app.inject({ method: 'POST', url: `${apiPath({ ...REF, unitId: 'no-such-unit' })}/complete`, headers: bearer, payload: {} })).statusCode).toBe(404);
    expect(await snapshot(h)).toEqual(before);

    const done = await app.inject({ method: 'POST', url: `${apiPath()}/complete`, headers: bearer, payload: { note: 'qua API', actor: 'vp-ldld' } });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ changed: true, assignment: { status: 'done_on_time', completedBy: 'api:vp-ldld' } });
    expect((await app.inject({ method: 'POST', url: `${apiPath()}/complete`, headers: bearer, payload: {} })).json()).toMatchObject({ changed: false });
    expect((await app.inject({ method: 'POST', url: `${apiPath()}/waive`, headers: bearer, payload: { reason: 'x' } })).statusCode).toBe(409);
    const reopened = await app.inject({ method: 'POST', url: `${apiPath()}/reopen`, headers: bearer, payload: { reason: 'báo cáo thiếu phụ lục' } });
    expect(reopened.json()).toMatchObject({ changed: true, assignment: { status: 'pending', completedAt: null } });
    expect(h.recording!.plans).toContainEqual({ obligationIds: [OBLIGATION] });

    const asked = await app.inject({ method: 'POST', url: `${apiPath()}/extension-requests`, headers: bearer, payload: { reason: 'chờ số liệu', proposedDue: '2027-11-12' } });
    expect(asked.statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: `${apiPath()}/extension-requests`, headers: bearer, payload: { reason: 'lần hai', proposedDue: '2027-11-20' } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `${apiPath()}/extension-requests`, headers: bearer, payload: { reason: 'sớm hơn', proposedDue: '2027-10-01' } })).statusCode).toBe(400);
    const approved = await app.inject({ method: 'POST', url: `/api/v1/extension-requests/${asked.json().id}/approve`, headers: bearer, payload: { note: 'đồng ý' } });
    expect(approved.json()).toMatchObject({ status: 'approved', decidedBy: 'api:admin' });
    expect((await app.inject({ method: 'POST', url: `/api/v1/extension-requests/${asked.json().id}/reject`, headers: bearer, payload: {} })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/api/v1/extension-requests/999999/approve', headers: bearer, payload: {} })).statusCode).toBe(404);

    const got = await app.inject({ method: 'GET', url: apiPath(), headers: bearer });
    expect(got.json().assignment).toMatchObject({ status: 'extended', due: '2027-11-12' });
    expect(got.json().history.map((r: { action: string }) => r.action)).toEqual(['complete', 'reopen', 'extension_requested', 'extension_approved']);

    const report = await app.inject({ method: 'GET', url: '/api/v1/report?unit=dmc', headers: bearer });
    expect(report.statusCode).toBe(200);
    expect(report.json().units.find((u: { unitId: string }) => u.unitId === UNIT)).toMatchObject({ upcoming: 1, onTime: 0, onTimeRate: null });
    expect((await app.inject({ method: 'GET', url: '/api/v1/report?from=2027-13-01', headers: bearer })).statusCode).toBe(400);
  });
});

describe('đúng hạn or trễ hạn against the effective due', () => {
  // Each rule's effective due: a Sunday rolls to Monday; a date inside Tết 2027 (5–11/2 with
  // substitute days) rolls to Friday 12/2; "trước ngày" means the day before.
  const cases = [
    { name: 'due Sunday 31/10/2027 → Monday 01/11', rule: { kind: 'once', date: '2027-10-31', bound: 'no_later_than' }, due: '2027-11-01', onTime: '2027-11-01T22:30:00+07:00', late: '2027-11-02T07:00:00+07:00' },
    { name: 'due in Tết, 06/02/2027 → Friday 12/02', rule: { kind: 'once', date: '2027-02-06', bound: 'no_later_than' }, due: '2027-02-12', onTime: '2027-02-12T16:00:00+07:00', late: '2027-02-15T08:00:00+07:00' },
    { name: 'due just before Tết, 04/02/2027 stays', rule: { kind: 'once', date: '2027-02-04', bound: 'no_later_than' }, due: '2027-02-04', onTime: '2027-02-04T17:00:00+07:00', late: '2027-02-12T08:00:00+07:00' },
    { name: 'trước ngày 31/05/2027 (Monday) → Sunday 30/05 → Monday 31/05', rule: { kind: 'once', date: '2027-05-31', bound: 'before' }, due: '2027-05-31', onTime: '2027-05-31T09:00:00+07:00', late: '2027-06-01T09:00:00+07:00' },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const h = await harness({ start: DateTime.fromISO(c.onTime).minus({ days: 20 }).toISO()!, bullmq: false, catalogue: withRule(OBLIGATION, c.rule as Catalogue['obligations'][number]['rule']) });
      await runPlanner(h.planner, [OBLIGATION]);
      const [first, second] = [{ ...REF, occurrenceKey: 'once' }, { ...REF, occurrenceKey: 'once', unitId: OTHER }];
      expect((await h.store.assignment(first))?.due).toBe(c.due);
      h.clock.set(c.onTime);
      expect((await completeAssignment(h.assignments, first, { actor: 'test' })).assignment.status).toBe('done_on_time');
      h.clock.set(c.late);
      expect((await completeAssignment(h.assignments, second, { actor: 'test' })).assignment.status).toBe('done_late');
    });
  }
});

describe('completion and acknowledgement stop what they should', () => {
  it('queued reminders of a completed unit are recorded as skipped ("completed"); a repeat of an acknowledged step is not sent', async () => {
    const smtp = await smtpServer();
    const h = await harness({ start: '2027-10-22T09:00:00+07:00', smtp, bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const fireAt = DateTime.fromISO('2027-10-22T08:00:00+07:00');
    await fanOut({ store: h.store, queue: h.queue, clock: h.clock, channels: h.channels }, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', fireAt, urgent: false });
    await completeAssignment(h.assignments, REF, { actor: 'test' });
    const rows = await h.db.query<{ unit_id: string; status: string; error_code: string | null }>("select unit_id, status, error_code from deliveries where step = '7d'");
    expect(rows.filter((r) => r.unit_id === UNIT).map((r) => [r.status, r.error_code])).toEqual([
      ['skipped', 'completed'],
      ['skipped', 'completed'],
    ]);
    expect(rows.filter((r) => r.unit_id !== UNIT).every((r) => r.status === 'queued')).toBe(true);

    // The other unit says "Đã nhận" for step 7d; a repeat of 7d (e.g. a retry) is skipped, the 3wd step still goes out.
    await acknowledgeAssignment(h.assignments, { ...REF, unitId: OTHER }, { actor: 'test', step: '7d' });
    const env = environmentSchema.parse({ HANCHOT_CONFIG_DIR: CONFIG_DIR, PUBLIC_URL });
    const compose = await createComposer(env, loaded as Parameters<typeof createComposer>[1], TEST_SECRET);
    const deliverDeps = { store: h.store, clock: h.clock, calendar: h.calendar, channels: h.channels, compose, queue: h.queue };
    const [otherKey] = await h.db.query<{ message_key: string; idempotency_key: string }>(
      "select message_key, idempotency_key from deliveries where unit_id = $1 and step = '7d' limit 1",
      [OTHER],
    );
    const skipped = await deliverMessage(deliverDeps, { messageKey: otherKey!.message_key, idempotencyKey: otherKey!.idempotency_key, urgent: true }, { number: 1, last: false });
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'acknowledged' });
    expect(smtp.received).toHaveLength(0);
    const threeWd = DateTime.fromISO('2027-10-27T08:00:00+07:00');
    await fanOut({ store: h.store, queue: h.queue, clock: h.clock, channels: h.channels }, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '3wd', fireAt: threeWd, urgent: true });
    const [next] = await h.db.query<{ message_key: string; idempotency_key: string }>("select message_key, idempotency_key from deliveries where unit_id = $1 and step = '3wd' limit 1", [OTHER]);
    expect(await deliverMessage(deliverDeps, { messageKey: next!.message_key, idempotencyKey: next!.idempotency_key, urgent: true }, { number: 1, last: false })).toMatchObject({ status: 'sent' });
    expect(smtp.received).toHaveLength(1);
  });

  it('waiving needs a reason, skips queued reminders and cancels escalation; reopening plans it again', async () => {
    const h = await harness({ start: '2027-11-02T10:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const planned = await plannedNotices(h, UNIT);
    expect(planned.length).toBeGreaterThan(0);
    await expect(waiveAssignment(h.assignments, REF, { actor: 'test', reason: '  ' })).rejects.toBeInstanceOf(AssignmentError);
    expect((await waiveAssignment(h.assignments, REF, { actor: 'vp', reason: 'đơn vị giải thể' })).assignment.status).toBe('waived');
    expect(await plannedNotices(h, UNIT)).toHaveLength(0);
    expect((await h.store.escalationSteps([REF])).every((r) => r.status === 'cancelled' && r.reason === 'waived')).toBe(true);
    // The notices' timers are shared with the other units and stay; firing one skips the waived unit.
    expect(h.recording!.removedEscalations).toEqual([]);
    const escalate = { store: h.store, queue: h.queue, clock: h.clock, calendar: h.calendar, channels: h.channels, settings: loaded.catalogue.settings };
    expect(await fireEscalation(escalate, { ...REF, level: 1, repeat: 0, due: '2027-11-01' })).toEqual({ units: 0, sent: 0, skipped: 0, deliveries: 0 });
    const shared = await fireEscalation(escalate, { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' });
    expect(shared.sent).toBeGreaterThan(0);
    expect(await h.db.query("select 1 from deliveries where purpose = 'escalation' and unit_id = $1", [UNIT])).toHaveLength(0);
    expect((await reopenAssignment(h.assignments, REF, { actor: 'vp', reason: 'nhầm đơn vị' })).assignment.status).toBe('overdue');
    await runPlanner(h.planner, [OBLIGATION]);
    // Planned again, the notice that went out while it was waived too (it is within the catch-up age).
    expect(await plannedNotices(h, UNIT)).toEqual(planned);
    expect([...h.recording!.escalations.keys()]).toContain(`esc|${OBLIGATION}|2027|L1|R0|2027-11-01`);
  });
});

describe('extensions (gia hạn)', () => {
  it('approval moves only that unit\'s due, is audited with who and when, cancels the old escalation and gives the unit its own ladder', async () => {
    // Monday 01/11/2027, the effective due day: escalation for the due is planned.
    const h = await harness({ start: '2027-11-01T10:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const old = (await h.store.escalationSteps([REF])).filter((r) => r.status === 'planned');
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((r) => r.due === '2027-11-01')).toBe(true);

    const request = await requestExtension(h.assignments, REF, { actor: 'contact:dmc.thpt-dmc.chairman', reason: 'Chờ số liệu quý', proposedDue: '2027-11-15' });
    h.clock.set('2027-11-01T15:30:00+07:00');
    const decided = await decideExtension(h.assignments, request.id, { actor: 'cli:vp-ldld-dmc', approve: true, note: 'Đồng ý' });
    expect(decided).toMatchObject({ status: 'approved', decidedBy: 'cli:vp-ldld-dmc' });
    expect(Math.abs(decided.decidedAt!.diff(DateTime.fromISO('2027-11-01T15:30:00+07:00')).as('seconds'))).toBeLessThan(5);
    expect(await h.store.assignment(REF)).toMatchObject({ status: 'extended', due: '2027-11-15', occurrenceDue: '2027-11-01' });
    expect((await h.store.assignment({ ...REF, unitId: OTHER }))?.due).toBe('2027-11-01');
    const audit = await h.store.auditOf('assignment', `${OBLIGATION}|2027|${UNIT}`);
    expect(audit.map((r) => [r.actor, r.action])).toEqual([
      ['contact:dmc.thpt-dmc.chairman', 'extension_requested'],
      ['cli:vp-ldld-dmc', 'extension_approved'],
    ]);
    expect(audit[1]!.detail).toMatchObject({ previousDue: '2027-11-01', proposedDue: '2027-11-15', note: 'Đồng ý' });
    // The old due's notices are cancelled (their timers, shared with the other units, then skip this
    // one); the obligation is planned again.
    expect((await h.store.escalationSteps([REF])).filter((r) => r.status === 'planned' && r.due === '2027-11-01')).toHaveLength(0);
    expect([...h.recording!.escalations.keys()]).toEqual(expect.arrayContaining(old.map((r) => escalationJobId({ ...REF, level: r.level, repeat: r.repeat, due: r.due }))));
    expect(h.recording!.plans).toContainEqual({ obligationIds: [OBLIGATION] });

    await runPlanner(h.planner, [OBLIGATION]);
    const own = await h.db.query<{ step: string; fire_at: Date }>("select step, fire_at from reminder_steps where step like '%@%' and status = 'planned' order by fire_at");
    expect(own.map((r) => [r.step, DateTime.fromJSDate(r.fire_at).setZone('Asia/Ho_Chi_Minh').toISODate()])).toEqual([
      [`7d@${UNIT}@2027-11-15`, '2027-11-08'],
      [`3wd@${UNIT}@2027-11-15`, '2027-11-10'],
      [`1wd@${UNIT}@2027-11-15`, '2027-11-12'],
      [`0d@${UNIT}@2027-11-15`, '2027-11-15'],
    ]);
    expect((await h.store.pendingRecipients(OBLIGATION, '2027')).some((r) => r.unitId === UNIT)).toBe(false);
    expect((await h.store.pendingRecipients(OBLIGATION, '2027', UNIT)).map((r) => r.unitId)).toEqual([UNIT, UNIT]);
    // New escalation from the new due: +1 working day is Tuesday 16/11.
    const fresh = (await h.store.escalationSteps([REF])).filter((r) => r.due === '2027-11-15' && r.level === 1 && r.repeat === 0);
    expect(fresh.map((r) => [r.status, r.fireAt.toUTC().toISO()])).toEqual([['planned', DateTime.fromISO('2027-11-16T01:00:00Z').toUTC().toISO()]]);
  });
});

/** Local dates and times of a unit's escalation notices (as the console shows them), in order. */
async function notices(h: FollowUpHarness, unitId: string, occurrenceKey = REF.occurrenceKey) {
  const rows = [...(await h.store.escalationSteps([{ ...REF, occurrenceKey, unitId }]))].sort((a, b) => +a.fireAt - +b.fireAt || a.level - b.level);
  return rows.map((r) => ({ notice: `L${r.level}R${r.repeat}`, at: r.fireAt.setZone('Asia/Ho_Chi_Minh').toFormat('ccc dd/LL HH:mm'), status: r.status, reason: r.reason ?? null }));
}

/** The notices still to come for a unit, as `L1R0`. */
async function plannedNotices(h: FollowUpHarness, unitId: string, occurrenceKey = REF.occurrenceKey): Promise<string[]> {
  return (await notices(h, unitId, occurrenceKey)).filter((n) => n.status === 'planned').map((n) => n.notice);
}

describe('escalation to leadership', () => {
  it('counts working days across a weekend and a public holiday (2/9 and 3/9/2027), level by level, with repeats', async () => {
    const h = await harness({ start: '2027-09-01T10:00:00+07:00', bullmq: false, catalogue: withRule(OBLIGATION, { kind: 'once', date: '2027-09-01', bound: 'no_later_than' }) });
    await runPlanner(h.planner, [OBLIGATION]);
    expect((await notices(h, UNIT, 'once')).map((n) => `${n.notice} ${n.at}`)).toEqual([
      'L1R0 Mon 06/09 08:00', // Thu 2/9 and Fri 3/9 are holidays (Labour Code 2019 art. 112), then the weekend
      'L2R0 Wed 08/09 08:00',
      'L1R1 Mon 13/09 08:00',
      'L2R1 Wed 15/09 08:00',
      'L1R2 Mon 20/09 08:00',
      'L2R2 Wed 22/09 08:00',
      'L1R3 Mon 27/09 08:00',
      'L2R3 Wed 29/09 08:00',
    ]);
    // One timer per notice, whatever the number of units it tells about.
    const units = (await h.db.query<{ n: number }>("select count(*)::int as n from assignments where obligation_id = $1 and status = 'pending'", [OBLIGATION]))[0]!.n;
    expect(units).toBeGreaterThan(1);
    expect(await h.db.query('select 1 from escalation_notices where obligation_id = $1', [OBLIGATION])).toHaveLength(8);
    expect([...h.recording!.escalations.keys()].sort()).toEqual(
      ['L1|R0', 'L2|R0', 'L1|R1', 'L2|R1', 'L1|R2', 'L2|R2', 'L1|R3', 'L2|R3'].map((n) => `esc|${OBLIGATION}|once|${n}|2027-09-01`).sort(),
    );
    // A second run adds nothing new (same rows, same job ids).
    const before = h.recording!.escalations.size;
    await runPlanner(h.planner, [OBLIGATION]);
    expect(h.recording!.escalations.size).toBe(before);
  });

  it('a policy edited to fewer repeats withdraws the notices it no longer has, with their timers', async () => {
    const h = await harness({ start: '2027-09-01T10:00:00+07:00', bullmq: false, catalogue: withRule(OBLIGATION, { kind: 'once', date: '2027-09-01', bound: 'no_later_than' }) });
    await runPlanner(h.planner, [OBLIGATION]);
    expect(await plannedNotices(h, UNIT, 'once')).toHaveLength(8);
    await h.db.query('update obligations set escalation = $2 where id = $1', [
      OBLIGATION,
      JSON.stringify({ levels: [{ level: 1, afterWorkingDays: 1, notify: { kind: 'unit_leader' } }], repeatEveryWorkingDays: 5, maxRepeats: 1 }),
    ]);
    await runPlanner(h.planner, [OBLIGATION]);
    expect(await plannedNotices(h, UNIT, 'once')).toEqual(['L1R0', 'L1R1']);
    expect((await notices(h, UNIT, 'once')).find((n) => n.notice === 'L2R0')).toMatchObject({ status: 'cancelled', reason: 'chính sách chuyển cấp đã đổi' });
    expect([...h.recording!.escalations.keys()].sort()).toEqual([`esc|${OBLIGATION}|once|L1|R0|2027-09-01`, `esc|${OBLIGATION}|once|L1|R1|2027-09-01`]);
  });

  it('a notice reads its units parent by parent, so one leader\'s units come together', async () => {
    const h = await harness({ start: '2027-11-04T10:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const notice = { obligationId: OBLIGATION, occurrenceKey: '2027', level: 2, repeat: 0, due: '2027-11-01' };
    const all = (await h.store.unitsToEscalate(notice)).map((r) => r.unitId);
    expect(all.length).toBeGreaterThan(4);
    // Every other unit (by id) moves under the province: by unit id alone the two parents would interleave.
    const moved = [...all].sort().filter((_, i) => i % 2 === 0);
    await h.db.query("update units set parent_id = 'tn' where id = any($1::text[])", [moved]);
    const order = (await h.store.unitsToEscalate(notice)).map((r) => r.unitId);
    expect([...order].sort()).toEqual([...all].sort());
    const underProvince = order.map((u) => moved.includes(u));
    // Each parent's units are one run: the parent changes once.
    expect(underProvince.filter((p, i) => i > 0 && p !== underProvince[i - 1])).toHaveLength(1);
    expect(await h.store.unitsToEscalate(notice, 2)).toHaveLength(2);
  });

  it('one timer tells about every overdue unit, page by page, each once; a unit done meanwhile is left out; firing again sends nothing', async () => {
    const h = await harness({ start: '2027-11-02T10:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const overdue = (await h.db.query<{ unit_id: string }>("select unit_id from assignments where obligation_id = $1 and occurrence_key = '2027' and status = 'overdue' order by unit_id", [OBLIGATION])).map((r) => r.unit_id);
    expect(overdue.length).toBeGreaterThan(3);
    expect([...h.recording!.escalations.keys()].filter((k) => k.includes('|L1|R0|'))).toEqual([`esc|${OBLIGATION}|2027|L1|R0|2027-11-01`]);
    // Done before the timer fires, but after it was planned (its row is still planned).
    await h.db.query("update assignments set status = 'done_late' where obligation_id = $1 and unit_id = $2", [OBLIGATION, overdue[1]]);
    const deps = { store: h.store, queue: h.queue, clock: h.clock, calendar: h.calendar, channels: h.channels, settings: loaded.catalogue.settings, escalationPage: 2 };
    const notice = { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' };
    const run = await fireEscalation(deps, notice);
    expect(run).toMatchObject({ units: overdue.length - 1, sent: overdue.length - 1, skipped: 0 });
    const told = await h.db.query<{ unit_id: string; n: number }>("select unit_id, count(*)::int as n from deliveries where purpose = 'escalation' group by unit_id order by unit_id");
    expect(told.map((r) => r.unit_id)).toEqual(overdue.filter((u) => u !== overdue[1]));
    expect(run.deliveries).toBe(told.reduce((n, r) => n + r.n, 0));
    expect((await notices(h, overdue[1]!)).find((n) => n.notice === 'L1R0')).toMatchObject({ status: 'cancelled', reason: 'completed' });
    expect((await notices(h, overdue[0]!)).find((n) => n.notice === 'L1R0')).toMatchObject({ status: 'fired', reason: null });
    // The timer again (a retry, or a second worker): nothing is left to tell.
    expect(await fireEscalation(deps, notice)).toEqual({ units: 0, sent: 0, skipped: 0, deliveries: 0 });
    // A notice whose instant has not come is not sent early, whatever timer fires.
    expect(await fireEscalation(deps, { ...notice, level: 2 })).toEqual({ units: 0, sent: 0, skipped: 0, deliveries: 0 });
    expect(await plannedNotices(h, overdue[0]!)).toContain('L2R0');
    expect(await plannedNotices(h, overdue[1]!)).toEqual([]);
  });

  it('an overdue unit climbs the ladder on the right days to the right people; completion stops it; a restart across Redis loss loses and repeats nothing', async () => {
    const smtp = await smtpServer();
    // The 2027 report's effective due is Monday 01/11; +1 working day is Tuesday 02/11 08:00, in 3 s.
    const h = await harness({ start: '2027-11-02T07:59:57+07:00', smtp });
    await runPlanner(h.planner, [OBLIGATION]);
    const units = (await h.store.pendingRecipients(OBLIGATION, '2027')).map((r) => r.unitId);
    // Everyone but two units completed; the first of the two was reminded by email on 22/10.
    for (const unitId of new Set(units)) if (unitId !== UNIT && unitId !== OTHER) await h.db.query("update assignments set status = 'done_on_time' where unit_id = $1", [unitId]);
    await h.store.insertDeliveries(
      [{ idempotencyKey: 'earlier-7d', messageKey: 'earlier-7d', ...REF, step: '7d', contactId: `${UNIT}.chairman`, channel: 'email', recipient: 'x', fireAt: DateTime.fromISO('2027-10-22T08:00:00+07:00'), urgent: false }],
      h.clock.now(),
    );
    await h.store.finish(['earlier-7d'], { status: 'sent', providerId: 'p' }, DateTime.fromISO('2027-10-22T08:00:03+07:00'));

    await h.flushRedis();
    await runPlanner(h.planner, [OBLIGATION]);
    const workers = h.startWorkers();

    // Level 1: each unit's own chairperson, one message each.
    await until('two level-1 notices', () => (smtp.received.length >= 2 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual(['chutich.thpt-dmc@example.org', 'chutich.ubnd-suoi-da@example.org']);
    const mails = await Promise.all(smtp.received.map((m) => simpleParser(m.raw)));
    const thpt = mails.find((m) => m.text?.includes('CĐCS Trường THPT Dương Minh Châu'))!;
    expect(thpt.subject).toBe('[Hạn Chót] Quá hạn 1 ngày làm việc: CĐCS Trường THPT Dương Minh Châu – Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
    expect(thpt.text).toContain('Văn bản: số 159/LĐLĐ');
    expect(thpt.text).toContain('Hạn: thứ Hai, 01/11/2027 – quá hạn 1 ngày làm việc');
    expect(thpt.text).toContain('Đơn vị đã được nhắc 1 lần:');
    expect(thpt.text).toContain('thứ Sáu, 22/10/2027 08:00 qua email tới Phạm Thị Thu Hà (nhắc trước 7 ngày)');
    const suoiDa = mails.find((m) => m.text?.includes('CĐCS UBND xã Suối Đá'))!;
    expect(suoiDa.text).toContain('Đơn vị chưa nhận được lời nhắc nào qua Hạn Chót.');

    // THPT's chairperson completes with the one-click link in the notice (on Wednesday): its
    // remaining notices are cancelled (the shared timers stay for Suối Đá).
    const url = /xác nhận tại: (\S+)/.exec(thpt.text!)?.[1];
    expect(url).toMatch(new RegExp(`^${PUBLIC_URL}/l/v1\\.`));
    h.clock.set('2027-11-03T10:00:00+07:00');
    const app = await h.http();
    cleanups.push(() => app.close());
    const path = new URL(url!).pathname;
    expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    expect((await h.store.assignment(REF))?.status).toBe('overdue');
    const click = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'intent=done' });
    expect(click.body).toContain('hoàn thành trễ hạn');
    expect(await h.store.assignment(REF)).toMatchObject({ status: 'done_late', completedBy: `contact:${UNIT}.chairman` });
    expect((await notices(h, UNIT)).filter((n) => n.status === 'planned')).toEqual([]);
    expect((await notices(h, UNIT)).find((n) => n.notice === 'L2R0')).toMatchObject({ status: 'cancelled', reason: 'completed' });
    const timers = (await h.bullmq!.queueOf('escalate').getDelayed()).map((j) => j.id!);
    expect(timers.some((id) => id.includes(UNIT) || id.includes(OTHER))).toBe(false);
    expect(timers).toContain(`esc|${OBLIGATION}|2027|L2|R0|2027-11-01`);

    // Crash: the workers die and Redis loses everything. The service is down until Thursday 04/11 07:59:57.
    await workers.close();
    await h.flushRedis();
    h.clock.set('2027-11-04T07:59:57+07:00');
    await runPlanner(h.planner);
    h.startWorkers();
    // Level 2 at +3 working days: the parent's standing committee (Ban Thường vụ LĐLĐ huyện: its
    // chairperson and standing vice-chairperson), once each.
    await until('the level-2 notices', () => (smtp.received.length >= 4 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.received).toHaveLength(4);
    expect(smtp.received.slice(2).flatMap((m) => m.to).sort()).toEqual(['chutich.dmc@example.org', 'phochutich.dmc@example.org']);
    const l2 = await simpleParser(smtp.received[2]!.raw);
    expect(l2.subject).toBe('[Hạn Chót] Quá hạn 3 ngày làm việc: CĐCS UBND xã Suối Đá – Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
    expect(l2.text).toContain('chuyển cấp 1'); // what the unit was sent so far includes the level-1 notice
    expect(await notices(h, OTHER)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ notice: 'L1R0', status: 'fired' }),
        expect.objectContaining({ notice: 'L2R0', status: 'fired' }),
        expect.objectContaining({ notice: 'L1R1', status: 'planned', at: 'Tue 09/11 08:00' }),
      ]),
    );
    const sent = await h.db.query<{ n: number; keys: number }>("select count(*)::int as n, count(distinct idempotency_key)::int as keys from deliveries where purpose = 'escalation' and status = 'sent'");
    expect(sent[0]).toEqual({ n: 4, keys: 4 });
  }, 60_000);
});

describe('the weekly leadership digest', () => {
  it('plans Monday 08:00, and each leader gets one message about the units below them', async () => {
    const h = await harness({ start: '2027-11-08T07:00:00+07:00', bullmq: false, smtp: await smtpServer() });
    await runPlanner(h.planner, [OBLIGATION]);
    await planDigests({ ...h.planner, policy: DEFAULT_PLANNING });
    expect([...h.recording!.digests.keys()]).toEqual(['digest|2027-11-08', 'digest|2027-11-15', 'digest|2027-11-22']);
    expect(h.recording!.digests.get('digest|2027-11-08')!.at.toMillis()).toBe(DateTime.fromISO('2027-11-08T01:00:00.000Z').toMillis());

    // THPT completed on time, Suối Đá late (Wednesday 03/11); the rest are overdue.
    h.clock.set('2027-10-29T10:00:00+07:00');
    await completeAssignment(h.assignments, REF, { actor: 'test' });
    h.clock.set('2027-11-03T10:00:00+07:00');
    await completeAssignment(h.assignments, { ...REF, unitId: OTHER }, { actor: 'test' });
    h.clock.set('2027-11-08T08:00:01+07:00');
    const result = await sendLeadershipDigest({ store: h.store, queue: h.queue, clock: h.clock, calendar: h.calendar, channels: h.channels }, { runOn: '2027-11-08' });
    const rows = await h.db.query<{ contact_id: string; content: LeadershipDigest; status: string }>("select contact_id, content, status from deliveries where purpose = 'digest' order by contact_id");
    expect(result).toEqual({ status: 'sent', leaders: rows.length });
    const assigned = loaded.catalogue.units.filter((u) => u.parent === 'dmc').length;
    const dmc = rows.find((r) => r.contact_id === 'dmc.chairman')!.content;
    expect(dmc.scopeUnitName).toBe('Liên đoàn Lao động huyện Dương Minh Châu');
    expect(dmc.totals).toMatchObject({ overdue: assigned - 2, late: 1 });
    expect(dmc.units.find((u) => u.unitName === 'CĐCS UBND xã Suối Đá')).toMatchObject({ overdue: 0, late: 1 });
    expect(dmc.units.some((u) => u.unitName === 'CĐCS Trường THPT Dương Minh Châu')).toBe(false);
    expect(dmc.overdue.every((l) => l.due === '2027-11-01' && l.workingDays === 5)).toBe(true);
    // The province's leader sees the same units (they are below the province too); another district's leader sees none of them.
    expect(rows.find((r) => r.contact_id === 'tn.chairman')!.content.totals).toEqual(dmc.totals);
    expect(rows.find((r) => r.contact_id === 'td.chairman')!.content.units.some((u) => u.unitName.includes('Dương Minh Châu'))).toBe(false);
    // Sending the same digest again adds nothing.
    await sendLeadershipDigest({ store: h.store, queue: h.queue, clock: h.clock, calendar: h.calendar, channels: h.channels }, { runOn: '2027-11-08' });
    expect(await h.db.query("select 1 from deliveries where purpose = 'digest'")).toHaveLength(rows.length);

    // The message a leader reads.
    const env = environmentSchema.parse({ HANCHOT_CONFIG_DIR: CONFIG_DIR, PUBLIC_URL });
    const compose = await createComposer(env, loaded as Parameters<typeof createComposer>[1], TEST_SECRET);
    const [claimed] = [await h.store.claimMessage((await h.db.query<{ message_key: string }>("select message_key from deliveries where contact_id = 'dmc.chairman' and purpose = 'digest'"))[0]!.message_key, 'test', h.clock.now(), true)];
    const message = compose({ messageKey: 'm', recipient: { contactId: 'dmc.chairman', name: 'Lê Văn Hùng' }, items: claimed, now: h.clock.now() });
    expect(message.subject).toBe(`[Hạn Chót] Tổng hợp tuần 08/11/2027: ${assigned - 2} quá hạn, 1 trễ hạn, 0 sắp đến hạn`);
    expect(message.text).toContain('Tình hình thực hiện nhiệm vụ của các đơn vị trực thuộc Liên đoàn Lao động huyện Dương Minh Châu đến thứ Hai, 08/11/2027:');
    expect(message.text).toContain('QUÁ HẠN CHƯA HOÀN THÀNH');
    expect(message.text).toContain('CĐCS UBND xã Suối Đá: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (số 159/LĐLĐ) – hạn 01/11/2027, trễ 2 ngày làm việc');
  });
});

describe('repairs the planner makes, and edges of extensions and links', () => {
  it('an occurrence the rule no longer produces (validity shortened) is withdrawn from every unit, with its escalation', async () => {
    const h = await harness({ start: '2027-11-02T10:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    expect((await h.store.assignment(REF))?.status).toBe('overdue');
    const shortened: Catalogue = { ...loaded.catalogue, obligations: loaded.catalogue.obligations.map((o) => (o.id === OBLIGATION ? { ...o, validUntil: '2027-10-01' } : o)) };
    await h.sync(shortened);
    await runPlanner(h.planner, [OBLIGATION]);
    const rows = await h.db.query<{ status: string; waived_reason: string }>("select status, waived_reason from assignments where obligation_id = $1 and occurrence_key = '2027'", [OBLIGATION]);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((r) => r.status === 'waived' && r.waived_reason.includes('thời hạn đã đổi'))).toBe(true);
    expect(await h.db.query("select 1 from escalation_notices where obligation_id = $1 and status = 'planned'", [OBLIGATION])).toHaveLength(0);
  });

  it('a unit late again after an extension is escalated again (the due is part of the notice), and a second extension gets its own ladder', async () => {
    const smtp = await smtpServer();
    const h = await harness({ start: '2027-11-02T10:00:00+07:00', smtp, bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const deps = { store: h.store, queue: h.queue, clock: h.clock, calendar: h.calendar, channels: h.channels, settings: loaded.catalogue.settings };
    expect(await fireEscalation(deps, { ...REF, level: 1, repeat: 0, due: '2027-11-01' })).toEqual({ units: 1, sent: 1, skipped: 0, deliveries: 1 });
    const first = await requestExtension(h.assignments, REF, { actor: 't', reason: 'chờ số liệu', proposedDue: '2027-11-03' });
    await decideExtension(h.assignments, first.id, { actor: 't', approve: true });
    h.clock.set('2027-11-04T09:00:00+07:00');
    await runPlanner(h.planner, [OBLIGATION]);
    // The shared notice of the new due finds only this unit (the others are on 01/11).
    expect(await fireEscalation(deps, { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-03' })).toEqual({ units: 1, sent: 1, skipped: 0, deliveries: 1 });
    const esc = await h.db.query<{ step: string }>("select step from deliveries where purpose = 'escalation' and unit_id = $1 order by step", [UNIT]);
    expect(esc.map((r) => r.step)).toEqual(['esc.L1.R0.2027-11-01', 'esc.L1.R0.2027-11-03']);

    const second = await requestExtension(h.assignments, REF, { actor: 't', reason: 'lại chờ', proposedDue: '2027-11-13' });
    // Saturday 13/11 moves to Monday 15/11 (Civil Code 2015 art. 148(5)).
    expect(second.proposedDue).toBe('2027-11-15');
    await decideExtension(h.assignments, second.id, { actor: 't', approve: true });
    await runPlanner(h.planner, [OBLIGATION]);
    const own = await h.db.query<{ step: string; status: string }>("select step, status from reminder_steps where step like '%@%' order by fire_at");
    expect(own.filter((r) => r.status === 'planned').map((r) => r.step)).toEqual([`7d@${UNIT}@2027-11-15`, `3wd@${UNIT}@2027-11-15`, `1wd@${UNIT}@2027-11-15`, `0d@${UNIT}@2027-11-15`]);
  });

  it('approval is refused if the due moved since the request; a link of a contact who left is refused', async () => {
    const h = await harness({ start: '2027-10-25T09:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    const request = await requestExtension(h.assignments, REF, { actor: 't', reason: 'x', proposedDue: '2027-11-10' });
    await h.db.query("update assignments set due = '2027-11-20' where unit_id = $1", [UNIT]);
    await expect(decideExtension(h.assignments, request.id, { actor: 't', approve: true })).rejects.toMatchObject({ code: 'conflict' });
    expect((await h.store.assignment(REF))?.due).toBe('2027-11-20');
    expect((await h.store.extensionRequest(request.id))?.status).toBe('pending');

    const app = await h.http();
    cleanups.push(() => app.close());
    await h.db.query("update contacts set deleted_at = now() where id = $1", [`${UNIT}.chairman`]);
    const before = await snapshot(h);
    for (const method of ['GET', 'POST'] as const) {
      const r = await app.inject({ method, url: `/l/${link(h, 'done')}`, ...(method === 'POST' ? form({ intent: 'done' }) : {}) });
      expect(r.statusCode).toBe(410);
      expect(r.body).toContain('không còn trong danh sách của đơn vị');
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('a unit taken off the assignees stops owing; a due moved into the future is no longer overdue; queued deliveries whose jobs were lost are put back', async () => {
    const h = await harness({ start: '2027-11-02T10:00:00+07:00', bullmq: false });
    await runPlanner(h.planner, [OBLIGATION]);
    expect((await h.store.assignment(REF))?.status).toBe('overdue');
    const owing = loaded.catalogue.units.filter((u) => u.parent === 'dmc' && u.id !== UNIT).map((u) => u.id);
    const edited: Catalogue = {
      ...loaded.catalogue,
      obligations: loaded.catalogue.obligations.map((o) => (o.id === OBLIGATION ? { ...o, assignees: { units: owing, childrenOf: [] }, rule: { kind: 'yearly', month: 11, day: 20 } } : o)),
    };
    await h.sync(edited);
    await runPlanner(h.planner, [OBLIGATION]);
    expect(await h.store.assignment(REF)).toMatchObject({ status: 'waived', waivedReason: expect.stringContaining('không còn được giao') });
    expect(await plannedNotices(h, UNIT)).toEqual([]);
    expect(await h.store.assignment({ ...REF, unitId: OTHER })).toMatchObject({ status: 'pending', due: '2027-11-22' });

    await h.store.insertDeliveries(
      [{ idempotencyKey: 'lost-job', messageKey: 'lost-message', ...REF, unitId: OTHER, step: '7d', contactId: `${OTHER}.chairman`, channel: 'email', recipient: 'x', fireAt: h.clock.now(), urgent: false }],
      h.clock.now().minus({ hours: 1 }),
    );
    await runPlanner(h.planner);
    expect(h.recording!.deliveries.get('lost-job')?.payload).toEqual({ messageKey: 'lost-message', idempotencyKey: 'lost-job', urgent: false });
  });
});
