/**
 * Issue 9 §1.5: a reminder whose time passed while the service was down longer than the
 * catch-up age is never sent; the delivery log says so, beside what was sent.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAccessStore } from '../../src/adapters/postgres/access-store.js';
import { createUser } from '../../src/app/access.js';
import { followUpHarness, runPlanner } from '../support/follow-up-harness.js';
import { shippedConfig } from '../support/shipped-config.js';
import { cleanupList } from '../support/wait.js';

let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

describe('the delivery log', () => {
  it('lists the reminder steps skipped because the service was down past their time, with why', async () => {
    // Friday 29/10/2027 09:00, first start: the steps of the 30/10 report before yesterday are too old to send.
    const h = await followUpHarness({ start: '2027-10-29T09:00:00+07:00', loaded, bullmq: false });
    cleanups.push(() => h.dispose());
    await h.sync(loaded.catalogue);
    await runPlanner(h.planner, ['dmc-159-2020.thematic-report']);
    const skipped = await h.db.query<{ step: string }>("select step from reminder_steps where obligation_id = 'dmc-159-2020.thematic-report' and status = 'skipped'");
    expect(skipped.length).toBeGreaterThan(0);

    await createUser({ store: new PostgresAccessStore(h.db), clock: h.clock }, { username: 'vp', displayName: 'VP', password: 'mật khẩu quản trị 1', role: 'admin', unitId: 'dmc' });
    const app = await h.http();
    cleanups.push(() => app.close());
    const login = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username: 'vp', password: 'mật khẩu quản trị 1' }).toString() });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    for (const url of ['/deliveries', '/deliveries?status=skipped']) {
      const page = await app.inject({ method: 'GET', url, headers: { cookie } });
      expect(page.body).toContain('Lượt nhắc không gửi vì dịch vụ ngừng quá lâu');
      for (const { step } of skipped) expect(page.body).toContain(`<td>${step}</td>`);
    }
    // Sent rows only: the section is not shown.
    expect((await app.inject({ method: 'GET', url: '/deliveries?status=sent', headers: { cookie } })).body).not.toContain('Lượt nhắc không gửi');
  });
});
