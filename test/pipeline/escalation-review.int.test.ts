/**
 * Edges of escalation planned per notice of an occurrence (obligation · occurrence · due · level ·
 * repeat), found by a review of that change: each was a failing test first, then fixed.
 */
import { DateTime } from 'luxon';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { completeAssignment, reopenAssignment } from '../../src/app/assignments.js';
import type { Catalogue } from '../../src/app/catalogue/catalogue.js';
import { fireEscalation, type EscalateDeps } from '../../src/app/escalate.js';
import { escalationJobId } from '../../src/app/job-queue.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import { runPlanner } from '../../src/app/planner.js';
import { syncCatalogue } from '../../src/app/sync.js';
import { ALL_KINDS, DATABASE_KINDS } from '../support/databases.js';
import { followUpHarness, type FollowUpHarness } from '../support/follow-up-harness.js';
import { RecordingQueue } from '../support/recording-queue.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
const UNIT = 'dmc.thpt-dmc';
const REF = { obligationId: OBLIGATION, occurrenceKey: '2027', unitId: UNIT };
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

async function harness(options: { start: string; catalogue?: Catalogue }): Promise<FollowUpHarness> {
  const h = await followUpHarness({ start: options.start, loaded, bullmq: false });
  cleanups.push(() => h.dispose());
  await h.sync(options.catalogue ?? loaded.catalogue);
  return h;
}

const withRule = (id: string, rule: Catalogue['obligations'][number]['rule']): Catalogue => ({
  ...loaded.catalogue,
  obligations: loaded.catalogue.obligations.map((o) => (o.id === id ? { ...o, rule } : o)),
});

const escalateDeps = (h: FollowUpHarness): EscalateDeps => ({
  store: h.store,
  queue: h.queue,
  clock: h.clock,
  calendar: h.calendar,
  channels: h.channels,
  settings: loaded.catalogue.settings,
  escalationPage: 2,
});

const escalationDeliveries = async (h: FollowUpHarness, unitId?: string) =>
  h.db.query<{ idempotency_key: string; unit_id: string; step: string }>(
    "select idempotency_key, unit_id, step from deliveries where purpose = 'escalation' and ($1::text is null or unit_id = $1) order by idempotency_key",
    [unitId ?? null],
  );

async function unitNotices(h: FollowUpHarness, unitId: string, occurrenceKey = REF.occurrenceKey) {
  const rows = [...(await h.store.escalationSteps([{ ...REF, occurrenceKey, unitId }]))].sort((a, b) => +a.fireAt - +b.fireAt || a.level - b.level);
  return rows.map((r) => ({ notice: `L${r.level}R${r.repeat}`, due: r.due, at: r.fireAt.setZone('Asia/Ho_Chi_Minh').toFormat('dd/LL'), status: r.status, reason: r.reason ?? null }));
}

describe('escalation review: schedule changes', () => {
  it('a policy edit that moves a kept notice (same level · repeat) beyond the horizon re-dates it and removes its timer; the old day tells nobody', async () => {
    // Once, due Wed 01/09/2027; default policy: L1R1 is Mon 13/09.
    const h = await harness({ start: '2027-09-01T10:00:00+07:00', catalogue: withRule(OBLIGATION, { kind: 'once', date: '2027-09-01', bound: 'no_later_than' }) });
    await runPlanner(h.planner, [OBLIGATION]);
    expect((await unitNotices(h, UNIT, 'once')).find((n) => n.notice === 'L1R1')).toMatchObject({ status: 'planned', at: '13/09' });
    // The admin repeats every 30 working days instead of 5: L1R1 is now mid-October, past the 35-day horizon.
    const policy = { ...loaded.catalogue.settings.escalation!, repeatEveryWorkingDays: 30 };
    await h.db.query('update obligations set escalation = $2 where id = $1', [OBLIGATION, JSON.stringify(policy)]);
    await runPlanner(h.planner, [OBLIGATION]);
    const l1r1 = { obligationId: OBLIGATION, occurrenceKey: 'once', level: 1, repeat: 1, due: '2027-09-01' };
    const stillPlanned = (await unitNotices(h, UNIT, 'once')).filter((n) => n.status === 'planned' && n.at === '13/09');
    const timerKept = h.recording!.escalations.has(escalationJobId(l1r1));
    // The old timer fires on 13/09: it must tell nobody (a repeat every 30 working days was asked).
    h.clock.set('2027-09-13T08:00:05+07:00');
    const run = await fireEscalation(escalateDeps(h), l1r1);
    expect(run.sent).toBe(0);
    expect(await escalationDeliveries(h)).toEqual([]);
    // Nor should anything be left planned for 13/09, or its timer kept.
    expect(stillPlanned).toEqual([]);
    expect(timerKept).toBe(false);
  });
});

describe('escalation review: a cancelled notice planned again', () => {
  it('a notice cancelled (every unit done) and planned again at another instant gets its timer replaced', async () => {
    // Level 1 two working days after the due: Wed 03/11 08:00 for the 2027 report (due Mon 01/11).
    const settings = loaded.catalogue.settings;
    const policy = (l1: number) => ({ ...settings.escalation!, levels: settings.escalation!.levels.map((l) => (l.level === 1 ? { ...l, afterWorkingDays: l1 } : l)) });
    const h = await harness({ start: '2027-11-01T10:00:00+07:00' });
    await h.db.query('update obligations set escalation = $2 where id = $1', [OBLIGATION, JSON.stringify(policy(2))]);
    await runPlanner(h.planner, [OBLIGATION]);
    const l1r0 = escalationJobId({ obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' });
    expect(h.recording!.escalations.get(l1r0)?.at.toUTC().toISO()).toBe(DateTime.fromISO('2027-11-03T08:00:00+07:00').toUTC().toISO());
    // Every unit reports done: the planner cancels the occurrence's notices (their timers stay, by design).
    await h.db.query("update assignments set status = 'done_on_time' where obligation_id = $1 and occurrence_key = '2027'", [OBLIGATION]);
    expect((await runPlanner(h.planner, [OBLIGATION])).escalations.cancelled).toBeGreaterThan(0);
    // The policy goes back to +1 working day (Tue 02/11), and one unit is reopened.
    await h.db.query('update obligations set escalation = $2 where id = $1', [OBLIGATION, JSON.stringify(policy(1))]);
    await h.db.query("update assignments set status = 'pending' where obligation_id = $1 and occurrence_key = '2027' and unit_id = $2", [OBLIGATION, UNIT]);
    await runPlanner(h.planner, [OBLIGATION]);
    expect((await unitNotices(h, UNIT)).find((n) => n.notice === 'L1R0')).toMatchObject({ status: 'planned', at: '02/11' });
    // Adding a job id that exists is a no-op (BullMQ, and the recording queue): the timer must have been replaced.
    expect(h.recording!.escalations.get(l1r0)?.at.toUTC().toISO()).toBe(DateTime.fromISO('2027-11-02T08:00:00+07:00').toUTC().toISO());
  });
});

describe('escalation review: catch-up', () => {
  it('a timer handed over more than the catch-up age late (service down, Redis kept; workers start before the planner) sends nothing', async () => {
    // L1R0 of the 2027 report (due Mon 01/11) is Tue 02/11 08:00.
    const h = await harness({ start: '2027-11-02T07:00:00+07:00' });
    await runPlanner(h.planner, [OBLIGATION]);
    const l1r0 = { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' };
    expect(h.recording!.escalations.has(escalationJobId(l1r0))).toBe(true);
    // Down until Friday 05/11 10:00 (3 days, catch-up age 24 h). src/main/service.ts starts the
    // workers before its first planner run, so BullMQ hands over the overdue timer at once.
    h.clock.set('2027-11-05T10:00:00+07:00');
    const run = await fireEscalation(escalateDeps(h), l1r0);
    expect(run.sent).toBe(0);
    expect(await escalationDeliveries(h)).toEqual([]);
  });
});

describe('escalation review: reopen', () => {
  it('a unit reopened within the catch-up age after a notice fired while it was done is still told that notice', async () => {
    const h = await harness({ start: '2027-11-02T07:00:00+07:00' });
    await runPlanner(h.planner, [OBLIGATION]);
    await completeAssignment(h.assignments, REF, { actor: 'test' });
    h.clock.set('2027-11-02T08:00:05+07:00');
    const l1r0 = { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' };
    expect((await fireEscalation(escalateDeps(h), l1r0)).sent).toBeGreaterThan(0);
    expect(await escalationDeliveries(h, UNIT)).toEqual([]);
    // Reopened two hours later ("completed by mistake"): before 3ddeec7 the unit's cancelled row was
    // planned again and, being within the 24 h catch-up, sent at once.
    h.clock.set('2027-11-02T10:00:00+07:00');
    await reopenAssignment(h.assignments, REF, { actor: 'vp', reason: 'bấm nhầm' });
    await runPlanner(h.planner, [OBLIGATION]);
    const mine = (await unitNotices(h, UNIT)).find((n) => n.notice === 'L1R0');
    expect(mine?.status).not.toBe('skipped');
    expect(mine?.status).toBe('planned');
    // Its timer runs again: the reopened unit is told, the others not a second time.
    const before = (await escalationDeliveries(h)).length;
    expect(await fireEscalation(escalateDeps(h), l1r0)).toMatchObject({ units: 1, sent: 1 });
    expect((await escalationDeliveries(h, UNIT)).length).toBeGreaterThan(0);
    expect((await escalationDeliveries(h)).length).toBe(before + (await escalationDeliveries(h, UNIT)).length);
    expect((await unitNotices(h, UNIT)).find((n) => n.notice === 'L1R0')).toMatchObject({ status: 'fired' });
  });
});

describe('escalation review: deleted obligation', () => {
  it('a notice whose obligation was deleted before the next planner run tells nobody', async () => {
    const h = await harness({ start: '2027-11-02T07:00:00+07:00' });
    await runPlanner(h.planner, [OBLIGATION]);
    await h.db.query('update obligations set deleted_at = $2, revision = revision + 1 where id = $1', [OBLIGATION, new Date().toISOString()]);
    h.clock.set('2027-11-02T08:00:05+07:00');
    const run = await fireEscalation(escalateDeps(h), { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' });
    expect(run.sent).toBe(0);
    expect(await escalationDeliveries(h)).toEqual([]);
  });
});

describe('escalation review: guards that hold', () => {
  it('two workers firing the same notice at once, and a crash mid-page then a retry, tell each unit once (distinct delivery keys)', async () => {
    const h = await harness({ start: '2027-11-02T07:00:00+07:00' });
    await runPlanner(h.planner, [OBLIGATION]);
    h.clock.set('2027-11-02T08:00:05+07:00');
    const overdue = (await h.db.query<{ unit_id: string }>("select unit_id from assignments where obligation_id = $1 and occurrence_key = '2027' and status = 'overdue'", [OBLIGATION])).length;
    expect(overdue).toBeGreaterThan(3);
    const l1r0 = { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' };
    // A crash on the second page (pages of 2): the first page's units are recorded.
    let calls = 0;
    const crashing = new Proxy(h.store, {
      get(target, prop, receiver) {
        if (prop === 'insertDeliveries') {
          return async (...args: Parameters<PostgresStore['insertDeliveries']>) => {
            if (++calls === 2) throw new Error('crash');
            return target.insertDeliveries(...args);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    await expect(fireEscalation({ ...escalateDeps(h), store: crashing }, l1r0)).rejects.toThrow('crash');
    const [a, b] = await Promise.all([fireEscalation(escalateDeps(h), l1r0), fireEscalation(escalateDeps(h), l1r0)]);
    expect(a.sent + b.sent).toBeGreaterThanOrEqual(overdue - 2);
    const rows = await escalationDeliveries(h);
    expect(new Set(rows.map((r) => r.unit_id)).size).toBe(overdue);
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(rows.length);
    // Each unit's deliveries: one per contact of its leader level, never two for the same contact.
    const perUnit = await h.db.query<{ n: number }>("select count(*)::int as n from deliveries where purpose = 'escalation' group by unit_id, contact_id having count(*) > 1");
    expect(perUnit).toEqual([]);
    const notice = await h.store.escalationNotice(l1r0);
    expect(notice?.status).toBe('fired');
  });

  it('an extended unit is left out of its old due\'s notices and gets its own; old notices firing afterwards do not tell about it', async () => {
    const h = await harness({ start: '2027-11-02T07:00:00+07:00' });
    await runPlanner(h.planner, [OBLIGATION]);
    await h.db.query("update assignments set due = '2027-11-15', status = 'extended' where obligation_id = $1 and occurrence_key = '2027' and unit_id = $2", [OBLIGATION, UNIT]);
    await runPlanner(h.planner, [OBLIGATION]);
    h.clock.set('2027-11-02T08:00:05+07:00');
    await fireEscalation(escalateDeps(h), { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' });
    expect(await escalationDeliveries(h, UNIT)).toEqual([]);
    expect((await unitNotices(h, UNIT)).every((n) => n.due === '2027-11-15')).toBe(true);
    expect((await unitNotices(h, UNIT)).find((n) => n.notice === 'L1R0')).toMatchObject({ status: 'planned', at: '16/11' });
  });
});

describe.each(ALL_KINDS)('escalation review: the new SQL on %s', (kind) => {
  it('plans notices, cancels empty ones, fires a page, and shows the per-unit view', async () => {
    const t = await DATABASE_KINDS[kind]();
    cleanups.push(() => t.dispose());
    let now = DateTime.fromISO('2027-11-02T07:00:00+07:00').toUTC();
    const clock = { now: () => now };
    await migrate(t.db, now);
    const store = new PostgresStore(t.db);
    await syncCatalogue({ store, clock }, loaded.catalogue);
    const queue = new RecordingQueue();
    const planner = { store, queue, clock, calendar: loaded.calendar, settings: loaded.catalogue.settings };
    const report = await runPlanner(planner, [OBLIGATION]);
    expect(report.escalations.groups).toBeGreaterThan(0);
    expect([...queue.escalations.keys()]).toContain(`esc|${OBLIGATION}|2027|L1|R0|2027-11-01`);
    now = DateTime.fromISO('2027-11-02T08:00:05+07:00').toUTC();
    const run = await fireEscalation(
      { store, queue, clock, calendar: loaded.calendar, channels: [], settings: loaded.catalogue.settings, escalationPage: 2 },
      { obligationId: OBLIGATION, occurrenceKey: '2027', level: 1, repeat: 0, due: '2027-11-01' },
    );
    expect(run.units).toBeGreaterThan(2);
    const view = await store.escalationSteps([REF]);
    expect(view.find((r) => r.level === 1 && r.repeat === 0)?.status).toBe('fired');
    expect(view.find((r) => r.level === 2 && r.repeat === 0)?.status).toBe('planned');
    await t.db.query("update assignments set status = 'done_late' where obligation_id = $1 and occurrence_key = '2027'", [OBLIGATION]);
    const again = await runPlanner(planner, [OBLIGATION]);
    expect(again.escalations.cancelled).toBeGreaterThan(0);
    expect((await store.escalationSteps([REF])).filter((r) => r.status === 'planned')).toEqual([]);
  });
});
