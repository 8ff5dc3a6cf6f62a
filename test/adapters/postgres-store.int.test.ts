import { DateTime } from 'luxon';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { migrate, MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import type { Catalogue } from '../../src/app/catalogue/catalogue.js';
import { fanOut } from '../../src/app/fan-out.js';
import { planReminders } from '../../src/app/plan.js';
import type { Channel } from '../../src/app/ports.js';
import { describePlan, isEmptyPlan, recordsOf, syncCatalogue } from '../../src/app/sync.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { ALL_KINDS, DATABASE_KINDS, type TestDatabase } from '../support/databases.js';
import { RecordingQueue } from '../support/recording-queue.js';
import { shippedConfig } from '../support/shipped-config.js';

let catalogue: Catalogue;
let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ catalogue, calendar } = await shippedConfig());
});

const at = (iso: string) => DateTime.fromISO(iso, { setZone: true });
const emailOnly: Channel = { name: 'email', canReach: (r) => Boolean(r.email), send: async () => ({ providerId: 'x' }), close: async () => undefined };

/** A catalogue with one obligation's rule replaced (an admin's edit). */
function withRule(c: Catalogue, id: string, rule: Catalogue['obligations'][number]['rule']): Catalogue {
  return { ...c, obligations: c.obligations.map((o) => (o.id === id ? { ...o, rule } : o)) };
}

describe.each(ALL_KINDS)('the record on %s', (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });
  const open = async () => {
    t = await DATABASE_KINDS[kind]();
    await migrate(t.db, at('2026-11-24T00:00:00Z'));
    return { db: t.db, store: new PostgresStore(t.db) };
  };

  it('migrates forward once: a second run applies nothing', async () => {
    const { db } = await open();
    expect(await migrate(db, at('2026-11-25T00:00:00Z'))).toEqual([]);
    const rows = await db.query<{ id: string }>('select id from schema_migrations');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it('0010 turns notices planned one per unit into one per notice of the occurrence, keeping outcomes', async () => {
    t = await DATABASE_KINDS[kind]();
    const db = t.db;
    const before = MIGRATIONS.findIndex((m) => m.id === '0010_escalation_notices');
    await migrate(db, at('2026-11-24T00:00:00Z'), MIGRATIONS.slice(0, before));
    const row = (unit: string, level: number, status: string, fireAt: string) =>
      db.query(
        `insert into escalation_steps (obligation_id, occurrence_key, unit_id, level, repeat, due, fire_at, status, reason, updated_at)
         values ('o', '2027', $1, $2, 0, '2027-11-01', $3, $4, null, '2027-11-01T00:00:00Z')`,
        [unit, level, fireAt, status],
      );
    await row('u1', 1, 'fired', '2027-11-02T01:00:00Z');
    await row('u2', 1, 'planned', '2027-11-02T01:00:00Z');
    await row('u3', 1, 'planned', '2027-11-02T01:00:00Z');
    await row('u2', 2, 'planned', '2027-11-04T01:00:00Z');
    expect(await migrate(db, at('2026-11-25T00:00:00Z'))).toEqual(MIGRATIONS.slice(before).map((m) => m.id));
    const notices = await db.query<{ level: number; status: string; fire_at: Date }>('select level, status, fire_at from escalation_notices order by level');
    expect(notices.map((n) => [n.level, n.status, new Date(n.fire_at).toISOString()])).toEqual([
      [1, 'planned', '2027-11-02T01:00:00.000Z'],
      [2, 'planned', '2027-11-04T01:00:00.000Z'],
    ]);
    expect(await db.query<{ unit_id: string; status: string }>('select unit_id, status from escalation_steps')).toEqual([{ unit_id: 'u1', status: 'fired' }]);
  });

  it('sync loads the catalogue, then finds nothing to change', async () => {
    const { db, store } = await open();
    const clock = fixedClock(at('2026-11-24T03:00:00Z'));
    const first = await syncCatalogue({ store, clock }, catalogue);
    expect(first.plan.obligations.filter((c) => c.action === 'create')).toHaveLength(catalogue.obligations.length);
    const snap = await store.snapshot();
    const wanted = recordsOf(catalogue);
    for (const o of wanted.obligations) expect({ ...snap.obligations.get(o.id), revision: undefined }).toEqual({ ...o, revision: undefined });
    expect(snap.contacts.size).toBe(wanted.contacts.length);
    const second = await syncCatalogue({ store, clock }, catalogue, { dryRun: true });
    expect(isEmptyPlan(second.plan), describePlan(second.plan).join('\n')).toBe(true);
    const audit = await db.query<{ n: number }>("select count(*)::int as n from audit_log where entity = 'obligation' and action = 'create'");
    expect(audit[0]!.n).toBe(catalogue.obligations.length);
  });

  it('an edit to a due rule bumps the revision; a title edit does not; a removal marks the row deleted', async () => {
    const { db, store } = await open();
    const clock = fixedClock(at('2026-11-24T03:00:00Z'));
    await syncCatalogue({ store, clock }, catalogue);
    const id = 'dmc-159-2020.thematic-report';
    const edited = withRule(catalogue, id, { kind: 'yearly', month: 11, day: 15 });
    const dry = await syncCatalogue({ store, clock }, edited, { dryRun: true });
    expect(describePlan(dry.plan)).toEqual([`~ nhiệm vụ ${id} (rule)`]);
    expect((await store.obligations([id]))[0]!.revision).toBe(1);
    const applied = await syncCatalogue({ store, clock }, edited);
    expect(applied.replan).toEqual([id]);
    expect((await store.obligations([id]))[0]!.revision).toBe(2);

    const retitled = { ...edited, obligations: edited.obligations.map((o) => (o.id === id ? { ...o, title: `${o.title} (sửa)` } : o)) };
    const r = await syncCatalogue({ store, clock }, retitled);
    expect(r.replan).toEqual([]);
    expect((await store.obligations([id]))[0]!.revision).toBe(2);

    const removed = { ...retitled, obligations: retitled.obligations.filter((o) => o.id !== id) };
    await syncCatalogue({ store, clock }, removed);
    expect(await store.obligations([id])).toEqual([]);
    const row = await db.query<{ deleted: boolean }>('select deleted_at is not null as deleted from obligations where id = $1', [id]);
    expect(row[0]!.deleted).toBe(true);
  });

  it('a failing sync changes nothing (one transaction)', async () => {
    const { db, store } = await open();
    const clock = fixedClock(at('2026-11-24T03:00:00Z'));
    // An obligation whose directive is not in the record breaks the foreign key mid-way.
    const broken = { ...catalogue, directives: catalogue.directives.slice(1) };
    await expect(syncCatalogue({ store, clock }, broken)).rejects.toThrow();
    const n = await db.query<{ n: number }>('select (select count(*) from obligations)::int + (select count(*) from units)::int + (select count(*) from audit_log)::int as n');
    expect(n[0]!.n).toBe(0);
  });

  it('the planner records steps and timers inside the horizon, skips stale ones, and replans an edit', async () => {
    const { store } = await open();
    // 3/10/2027 08:00 local: the 30/10/2027 report's 30d step (30/9) is past and 7d (22/10 → Friday 22/10) is inside 35 days.
    const now = at('2027-10-03T01:00:00Z');
    const clock = fixedClock(now);
    await syncCatalogue({ store, clock }, catalogue);
    const queue = new RecordingQueue();
    const deps = { store, queue, clock, calendar, settings: catalogue.settings };
    const report = await planReminders(deps, ['dmc-159-2020.thematic-report']);
    const steps = await store.steps('dmc-159-2020.thematic-report');
    const byStep = Object.fromEntries(steps.filter((s) => s.occurrenceKey === '2027').map((s) => [s.step, [s.status, s.fireAt.setZone('Asia/Ho_Chi_Minh').toISO()]]));
    expect(byStep).toEqual({
      '30d': ['skipped', '2027-09-30T08:00:00.000+07:00'],
      '7d': ['planned', '2027-10-22T08:00:00.000+07:00'],
      '3wd': ['planned', '2027-10-27T08:00:00.000+07:00'],
      '0d': ['planned', '2027-10-29T08:00:00.000+07:00'],
    });
    expect(report.skipped).toBe(1);
    expect([...queue.fires.keys()].sort()).toEqual([
      'fire|dmc-159-2020.thematic-report|2027|0d|r1',
      'fire|dmc-159-2020.thematic-report|2027|3wd|r1',
      'fire|dmc-159-2020.thematic-report|2027|7d|r1',
    ]);

    // Running again adds the same ids (the queue ignores them) and records nothing new.
    const again = await planReminders(deps, ['dmc-159-2020.thematic-report']);
    expect(again.skipped).toBe(0);
    expect(again.scheduled).toBe(3);

    // The admin moves the date to 15/11: old timers go, new ones come with revision 2.
    await syncCatalogue({ store, clock }, withRule(catalogue, 'dmc-159-2020.thematic-report', { kind: 'yearly', month: 11, day: 15 }));
    await planReminders(deps, ['dmc-159-2020.thematic-report']);
    expect(queue.removed).toContain('fire|dmc-159-2020.thematic-report|2027|7d|r1');
    const live = [...queue.fires.keys()].filter((k) => k.includes('thematic-report')).sort();
    // 15/11/2027 − 30 days = Saturday 16/10 → Friday 15/10, inside the horizon (to 7/11); the other steps are beyond it.
    expect(live).toEqual(['fire|dmc-159-2020.thematic-report|2027|30d|r2']);
    const moved = (await store.steps('dmc-159-2020.thematic-report')).find((s) => s.occurrenceKey === '2027' && s.step === '30d');
    expect([moved?.status, moved?.revision, moved?.fireAt.setZone('Asia/Ho_Chi_Minh').toISODate()]).toEqual(['planned', 2, '2027-10-15']);
  });

  it('after downtime a step missed by less than 24 h is sent at once; an older one is recorded as skipped', async () => {
    const { store } = await open();
    // Friday 22/10/2027 10:00 local: the 7d step (08:00 today) was missed by 2 h; the 30d step (30/9) by weeks.
    const now = at('2027-10-22T10:00:00+07:00');
    const clock = fixedClock(now);
    await syncCatalogue({ store, clock }, catalogue);
    const queue = new RecordingQueue();
    const report = await planReminders({ store, queue, clock, calendar, settings: catalogue.settings }, ['dmc-159-2020.thematic-report']);
    expect(report.catchUp).toBe(1);
    const job = queue.fires.get('fire|dmc-159-2020.thematic-report|2027|7d|r1');
    expect(job && +job.at).toBe(+now);
    const steps = await store.steps('dmc-159-2020.thematic-report');
    expect(steps.find((s) => s.occurrenceKey === '2027' && s.step === '30d')?.status).toBe('skipped');
  });

  it('fan-out creates one delivery per pending unit contact, and nothing twice', async () => {
    const { db, store } = await open();
    const now = at('2027-10-22T01:00:00Z');
    const clock = fixedClock(now);
    await syncCatalogue({ store, clock }, catalogue);
    const queue = new RecordingQueue();
    await planReminders({ store, queue, clock, calendar, settings: catalogue.settings }, ['dmc-159-2020.thematic-report']);
    // One unit completed before the step fires.
    await db.query("update assignments set status = 'done_on_time', completed_at = $1 where unit_id = 'dmc.thpt-dmc' and occurrence_key = '2027'", [now.toISO()]);
    const step = { obligationId: 'dmc-159-2020.thematic-report', occurrenceKey: '2027', step: '7d', fireAt: now, urgent: false };
    const deps = { store, queue, clock, channels: [emailOnly], digestSettleMs: 0 };
    const first = await fanOut(deps, step);
    const pending = await store.pendingRecipients(step.obligationId, step.occurrenceKey);
    expect(pending.some((p) => p.unitId === 'dmc.thpt-dmc')).toBe(false);
    expect(first.created).toBe(pending.length);
    expect(first.created).toBeGreaterThan(0);
    const second = await fanOut(deps, step);
    expect(second.created).toBe(0);
    const rows = await db.query<{ n: number }>('select count(*)::int as n from deliveries');
    expect(rows[0]!.n).toBe(pending.length);
    expect(queue.deliveries.size).toBe(pending.filter((p) => p.email).length);
  });
});
