import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAccessStore } from '../../src/adapters/postgres/access-store.js';
import { createApiToken } from '../../src/app/access.js';
import { fanOut } from '../../src/app/fan-out.js';
import { OPERATIONS } from '../../src/http/openapi.js';
import { ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { startSmtp } from '../support/smtp.js';
import { cleanupList } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function setup(withSmtp = false) {
  const smtp = withSmtp ? await startSmtp() : undefined;
  if (smtp) cleanups.push(() => smtp.close());
  return httpWorld({ start: '2027-10-22T09:00:00+07:00', loaded, cleanups, plan: [OBLIGATION], smtpUrl: smtp?.url });
}

describe('the API description', () => {
  it('/api/docs/json is OpenAPI 3.1 built from the handlers\' schemas, and every documented route exists', async () => {
    const { app } = await setup();
    const doc = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const op of OPERATIONS) {
      expect(doc.paths[op.path][op.method].summary).toBe(op.summary);
      expect(app.hasRoute({ method: op.method.toUpperCase() as 'GET', url: op.path.replace(/\{(\w+)\}/g, ':$1') }), `${op.method} ${op.path}`).toBe(true);
    }
    const preview = doc.paths['/api/v1/preview'].post.requestBody.content['application/json'].schema;
    expect(preview.required).toEqual(['rule']);
    expect(preview.additionalProperties).toBe(false);
    const page = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('POST /api/v1/preview');
  });
});

describe('POST /api/v1/preview: a rule\'s next dates before it is saved', () => {
  it('shows the next occurrences with holiday shifts and the reminders before each', async () => {
    const { app } = await setup();
    const r = await app.inject({ method: 'POST', url: '/api/v1/preview', headers: admin, payload: { rule: { kind: 'yearly', month: 10, day: 30 }, count: 2 } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      words: 'hằng năm, ngày 30/10',
      usesDefault: false,
      occurrences: [
        {
          key: '2027',
          nominalDue: '2027-10-30',
          effectiveDue: '2027-11-01',
          rolledNote: 'trùng ngày nghỉ, hạn thực tế thứ Hai, 01/11/2027',
          // 7d lands on Saturday 23/10 and moves back to Friday; 1wd and 0d fall on Friday 29/10 and merge.
          reminders: [
            { step: '30d', fireOn: '2027-09-30' },
            { step: '7d', fireOn: '2027-10-22' },
            { step: '3wd', fireOn: '2027-10-27' },
            { step: '0d', fireOn: '2027-10-29' },
          ],
        },
        expect.objectContaining({ key: '2028', nominalDue: '2028-10-30', effectiveDue: '2028-10-30', rolledNote: null }),
      ],
    });
  });

  it('answers 400 with every problem: a bad kind, an impossible date, a bad ladder, an unknown field', async () => {
    const { app } = await setup();
    const kind = await app.inject({ method: 'POST', url: '/api/v1/preview', headers: admin, payload: { rule: { kind: 'weekly' } } });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().issues[0].message).toContain('loại thời hạn không tồn tại');
    const date = await app.inject({ method: 'POST', url: '/api/v1/preview', headers: admin, payload: { rule: { kind: 'once', date: '2027-02-30', bound: 'before' }, colour: 1 } });
    expect(date.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'rule.date']);
    const ladder = await app.inject({ method: 'POST', url: '/api/v1/preview', headers: admin, payload: { rule: { kind: 'monthly', day: 15 }, ladder: ['7d', 'soon'] } });
    expect(ladder.statusCode).toBe(400);
    expect(ladder.json().issues[0].path).toBe('ladder');
    expect((await app.inject({ method: 'POST', url: '/api/v1/preview', payload: { rule: { kind: 'monthly', day: 15 } } })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/deliveries: the delivery log, in the caller\'s scope', () => {
  it('filters by obligation, unit, status and channel, pages with ?before=, and shows a viewer only its subtree', async () => {
    const { h, app } = await setup(true);
    const { DateTime } = await import('luxon');
    await fanOut({ store: h.store, queue: h.queue, clock: h.clock, channels: h.channels }, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', fireAt: DateTime.fromISO('2027-10-22T08:00:00+07:00'), urgent: false });
    const all = (await app.inject({ method: 'GET', url: `/api/v1/deliveries?obligation=${OBLIGATION}`, headers: admin })).json();
    const count = (await h.db.query('select 1 from deliveries')).length;
    expect(all.deliveries).toHaveLength(count);
    expect(all.deliveries.every((d: { status: string; channel: string }) => d.status === 'queued' && d.channel === 'email')).toBe(true);
    const ids = all.deliveries.map((d: { id: number }) => d.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));

    const page1 = (await app.inject({ method: 'GET', url: '/api/v1/deliveries?limit=2', headers: admin })).json();
    const page2 = (await app.inject({ method: 'GET', url: `/api/v1/deliveries?limit=2&before=${page1.next}`, headers: admin })).json();
    expect(page2.deliveries[0].id).toBeLessThan(page1.deliveries[1].id);
    expect((await app.inject({ method: 'GET', url: '/api/v1/deliveries?status=sent', headers: admin })).json().deliveries).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/deliveries?status=lost', headers: admin })).statusCode).toBe(400);

    const viewer = (await createApiToken({ store: new PostgresAccessStore(h.db), clock: h.clock }, { name: 'v', role: 'viewer', unitId: 'dmc.thpt-dmc', createdBy: 't' })).token;
    const scoped = (await app.inject({ method: 'GET', url: '/api/v1/deliveries', headers: { authorization: `Bearer ${viewer}` } })).json();
    expect(scoped.deliveries.length).toBeGreaterThan(0);
    expect(scoped.deliveries.every((d: { unitId: string }) => d.unitId === 'dmc.thpt-dmc')).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/api/v1/deliveries?unit=dmc.ubnd-suoi-da', headers: { authorization: `Bearer ${viewer}` } })).statusCode).toBe(403);
  });
});

describe('units, the calendar and "send now" through the API', () => {
  it('lists the units and contacts in the caller\'s scope, a year\'s holidays, and sends an occurrence now (managers only)', async () => {
    const { h, app } = await setup(true);
    const store = new PostgresAccessStore(h.db);
    const viewer = (await createApiToken({ store, clock: h.clock }, { name: 'v', role: 'viewer', unitId: 'dmc', createdBy: 't' })).token;
    const units = (await app.inject({ method: 'GET', url: '/api/v1/units', headers: { authorization: `Bearer ${viewer}` } })).json().units;
    const expected = ['dmc', ...loaded.catalogue.units.filter((u) => u.parent === 'dmc').map((u) => u.id)].sort();
    expect(units.map((u: { id: string }) => u.id).sort()).toEqual(expected);
    expect(units.find((u: { id: string }) => u.id === 'dmc').contacts.map((c: { id: string }) => c.id)).toContain('dmc.standing-vice-chairman');

    const year = (await app.inject({ method: 'GET', url: '/api/v1/calendar/2026', headers: admin })).json();
    expect(year.decreed).toBe(true);
    expect(year.days.some((d: { date: string; kind: string }) => d.date === '2026-09-02' && d.kind === 'holiday')).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/api/v1/calendar/1999', headers: admin })).statusCode).toBe(400);

    const url = `/api/v1/occurrences/${OBLIGATION}/2027/remind-now`;
    expect((await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${viewer}` } })).statusCode).toBe(403);
    const sent = await app.inject({ method: 'POST', url, headers: admin });
    expect(sent.statusCode).toBe(202);
    const contacts = loaded.catalogue.units.filter((u) => u.parent === 'dmc').flatMap((u) => u.contacts).length;
    expect(sent.json()).toMatchObject({ occurrenceKey: '2027', step: 'now-20271022', deliveries: contacts, created: contacts });
    expect([...h.recording!.deliveries.values()].filter((j) => j.payload.urgent)).toHaveLength(contacts);
    // The same day again: recorded once, nothing new.
    expect((await app.inject({ method: 'POST', url, headers: admin })).json()).toMatchObject({ created: 0 });
    expect((await app.inject({ method: 'POST', url: `/api/v1/occurrences/${OBLIGATION}/1999/remind-now`, headers: admin })).statusCode).toBe(404);
  });
});

// Every route × every kind of caller (401, 403, 404 and the successes): test/http/roles-table.int.test.ts.
