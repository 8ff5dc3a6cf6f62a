import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fireEscalation } from '../../src/app/escalate.js';
import type { Role } from '../../src/domain/access.js';
import { httpWorld, signIn as signInAs } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
const UNIT = 'dmc.thpt-dmc';
const REF = { obligationId: OBLIGATION, occurrenceKey: '2027', unitId: UNIT };
const HREF = `/assignments/${OBLIGATION}/2027/${UNIT}`;
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

/** The report was due Monday 1/11/2027; it is Tuesday 2/11, 10:00, and the first notice went to the school's chairman. */
async function setup() {
  const { h, app, access } = await httpWorld({ start: '2027-11-02T10:00:00+07:00', loaded, cleanups, plan: [OBLIGATION] });
  const deps = { store: h.store, queue: h.queue, clock: h.clock, calendar: h.calendar, channels: h.channels, settings: loaded.catalogue.settings };
  expect(await fireEscalation(deps, { ...REF, level: 1, repeat: 0, due: '2027-11-01' })).toMatchObject({ units: 1, sent: 1 });
  const signIn = async (username: string, role: Role, unitId: string) => (await signInAs(app, access, h.clock, { username, role, unitId })).get;
  return { h, app, signIn };
}

const rowOf = (html: string, href: string) => html.split('<tr>').find((r) => r.includes(`href="${href}"`));

describe('the escalation view of the console', () => {
  it('lists each overdue assignment in scope with the notices sent and the next one, linked from the dashboard', async () => {
    const { signIn } = await setup();
    const leader = await signIn('lanhdao', 'viewer', 'dmc');
    const dashboard = await leader('/');
    expect(dashboard.body).toContain('href="/escalations"');
    const page = await leader('/escalations');
    expect(page.statusCode).toBe(200);
    const row = rowOf(page.body, HREF)!;
    expect(row).toBeDefined();
    expect(row).toContain('quá 1 ngày làm việc');
    expect(row).toContain('Cấp 1: lãnh đạo đơn vị <small>(02/11/2027)</small>');
    // Three working days after the due: Thursday 4/11, already on a timer.
    expect(row).toContain('Cấp 2: Ban Thường vụ cấp trên<br><small>thứ Năm, 04/11/2027 · đã hẹn giờ</small>');
    // Another unit of the same report was sent nothing yet; its first notice is next.
    const other = page.body.split('<tr>').find((r) => r.includes(`/${OBLIGATION}/2027/dmc.`) && !r.includes(UNIT))!;
    expect(other).toContain('<span class="muted">chưa</span>');
    expect(other).toContain('Cấp 1: lãnh đạo đơn vị<br>');

    // Another district sees none of it.
    const elsewhere = await (await signIn('khac', 'viewer', 'td'))('/escalations');
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.body).not.toContain(OBLIGATION);
  });

  it('shows the escalation ladder and the escalation deliveries on the assignment page', async () => {
    const { signIn } = await setup();
    const page = await (await signIn('vp', 'admin', 'dmc'))(HREF);
    expect(page.statusCode).toBe(200);
    const ladder = page.body.slice(page.body.indexOf('Chuyển cấp khi quá hạn'), page.body.indexOf('Đã gửi (nhắc hạn, chuyển cấp)'));
    expect(ladder).toMatch(/thứ Ba, 02\/11\/2027<\/td><td>Cấp 1: lãnh đạo đơn vị <small class="muted">\(quá 1 ngày làm việc\)<\/small><\/td><td>đã gửi \d\d:\d\d 02\/11\/2027/);
    expect(ladder).toContain('Cấp 2: Ban Thường vụ cấp trên <small class="muted">(quá 3 ngày làm việc)</small></td><td>đã hẹn giờ');
    // Two levels, each sent once and repeated three times every five working days: 8 notices, the last 1 + 3 × 5 working days late.
    expect(ladder.split('<tr>').length - 2).toBe(8);
    expect(ladder).toContain('thứ Ba, 23/11/2027</td><td>Cấp 1: lãnh đạo đơn vị (nhắc lại lần 3) <small class="muted">(quá 16 ngày làm việc)</small></td><td>đã hẹn giờ');
    const sent = page.body.slice(page.body.indexOf('Đã gửi (nhắc hạn, chuyển cấp)'));
    expect(sent).toContain('<td>chuyển cấp 1</td>');
  });
});
