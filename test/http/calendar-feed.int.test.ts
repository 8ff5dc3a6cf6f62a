import ICAL from 'ical.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { completeAssignment, decideExtension, requestExtension } from '../../src/app/assignments.js';
import { occurrenceUid } from '../../src/domain/ics.js';
import { signFeed } from '../../src/domain/signed-link.js';
import { PUBLIC_URL } from '../support/follow-up-harness.js';
import { httpWorld, type HttpWorld } from '../support/http-world.js';
import { TEST_SECRET } from '../support/secret.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
const UNIT = 'dmc.thpt-dmc';
const OTHER = 'dmc.ubnd-suoi-da';
const DOMAIN = new URL(PUBLIC_URL).hostname;
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

async function setup(): Promise<HttpWorld> {
  // Monday 25/10/2027: the window runs from 25/07/2027 to 25/04/2029.
  return httpWorld({ start: '2027-10-25T09:00:00+07:00', loaded, cleanups, plan: true });
}

interface FeedEvent {
  uid: string;
  start: string;
  summary: string;
  description: string;
  url: string | null;
}

function parseFeed(text: string): { calendar: ICAL.Component; events: FeedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((v) => {
    const event = new ICAL.Event(v);
    return {
      uid: event.uid,
      start: event.startDate.toString(),
      summary: event.summary,
      description: event.description,
      url: (v.getFirstPropertyValue('url') as string | null) ?? null,
    };
  });
  return { calendar, events };
}

describe('calendar feeds (GET /ical/<signed token>.ics)', () => {
  it("a unit's feed parses as iCalendar, refreshes every 6 hours, and holds every recorded assignment on its own due", async () => {
    const { h, app } = await setup();
    await completeAssignment(h.assignments, { obligationId: OBLIGATION, occurrenceKey: '2027', unitId: UNIT }, { actor: 'test' });
    const r = await app.inject({ method: 'GET', url: `/ical/${signFeed({ kind: 'unit', id: UNIT }, TEST_SECRET)}.ics` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const { calendar, events } = parseFeed(r.body);
    expect(calendar.getFirstPropertyValue('refresh-interval')?.toString()).toBe('PT6H');
    expect(calendar.getFirstPropertyValue('x-published-ttl')).toBe('PT6H');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Hạn Chót – CĐCS Trường THPT Dương Minh Châu');

    // Every assignment the record holds for the unit in the window is there, on its due, once.
    const recorded = await h.db.query<{ obligation_id: string; occurrence_key: string; due: string; status: string }>(
      "select obligation_id, occurrence_key, due, status from assignments where unit_id = $1 and due between '2027-07-25' and '2029-04-25'",
      [UNIT],
    );
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.size).toBe(events.length);
    for (const a of recorded) {
      const event = byUid.get(occurrenceUid(a.obligation_id, a.occurrence_key, DOMAIN));
      expect(event, `${a.obligation_id} ${a.occurrence_key}`).toBeDefined();
      expect(event!.start).toBe(a.due);
    }
    // Beyond the planner's horizon the rules still give the next 18 months (the 30/10 report of 2028 is in).
    expect(byUid.get(occurrenceUid(OBLIGATION, '2028', DOMAIN))?.start).toBe('2028-10-30');
    expect(events.every((e) => e.start >= '2027-07-25' && e.start <= '2029-04-25')).toBe(true);

    const done = byUid.get(occurrenceUid(OBLIGATION, '2027', DOMAIN))!;
    expect(done.summary).toBe('✓ Xong: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
    expect(done.description).toContain('Trạng thái: hoàn thành đúng hạn');
    expect(done.url).toBeNull();
    // A unit's feed is shared (leaders, calendar services): it carries no action link at all.
    expect(events.every((e) => e.url === null && !e.description.includes('/l/'))).toBe(true);
    // A person's own feed does: an open recorded item's completion link works.
    const own = parseFeed((await app.inject({ method: 'GET', url: `/ical/${signFeed({ kind: 'contact', id: `${UNIT}.vice-chairman` }, TEST_SECRET)}.ics` })).body).events;
    const open = own.find((e) => e.url !== null)!;
    expect(open.description).toContain('Văn bản ');
    expect(open.url).toMatch(new RegExp(`^${PUBLIC_URL}/l/v1\\.`));
    const page = await app.inject({ method: 'GET', url: new URL(open.url!).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Xác nhận đã hoàn thành');
  });

  it("a contact's feed shows their unit's deadlines; an extension shows on the new due", async () => {
    const { h, app } = await setup();
    const ref = { obligationId: OBLIGATION, occurrenceKey: '2027', unitId: OTHER };
    const request = await requestExtension(h.assignments, ref, { actor: 't', reason: 'x', proposedDue: '2027-11-15' });
    await decideExtension(h.assignments, request.id, { actor: 't', approve: true });
    const unitFeed = parseFeed((await app.inject({ method: 'GET', url: `/ical/${signFeed({ kind: 'unit', id: OTHER }, TEST_SECRET)}.ics` })).body);
    const contactFeed = parseFeed((await app.inject({ method: 'GET', url: `/ical/${signFeed({ kind: 'contact', id: `${OTHER}.vice-chairman` }, TEST_SECRET)}.ics` })).body);
    expect(contactFeed.events.map((e) => [e.uid, e.start])).toEqual(unitFeed.events.map((e) => [e.uid, e.start]));
    const extended = contactFeed.events.find((e) => e.uid === occurrenceUid(OBLIGATION, '2027', DOMAIN))!;
    expect(extended.start).toBe('2027-11-15');
    expect(extended.description).toContain('(đã gia hạn)');
  });

  it('a forged, foreign or truncated token, an action link used as a feed, and a deleted unit all get the same 404', async () => {
    const { h, app } = await setup();
    const good = signFeed({ kind: 'unit', id: UNIT }, TEST_SECRET);
    await h.db.query("update units set deleted_at = now() where id = 'dmc.ttyt-dmc'");
    const bad = [
      `${good.slice(0, -2)}xx`,
      signFeed({ kind: 'unit', id: UNIT }, 'another-secret-0123456789'),
      good.slice(0, 12),
      signFeed({ kind: 'unit', id: 'dmc.ttyt-dmc' }, TEST_SECRET),
      `v1.${good.split('.')[1]}.${good.split('.')[2]}`,
    ];
    for (const token of bad) {
      const r = await app.inject({ method: 'GET', url: `/ical/${token}.ics` });
      expect(r.statusCode, token).toBe(404);
      expect(r.body).toBe('Không có lịch này (liên kết sai hoặc đã bị thu hồi).');
    }
    expect((await app.inject({ method: 'GET', url: `/ical/${good}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ ok: true, checks: { postgres: true } });
  });
});
