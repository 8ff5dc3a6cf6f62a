/**
 * Issue 9 §1.5: a reminder whose time passed while the service was down longer than the
 * catch-up age is never sent; the delivery log says so, beside what was sent.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpWorld, signIn } from '../support/http-world.js';
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
    const { h, app, access } = await httpWorld({ start: '2027-10-29T09:00:00+07:00', loaded, cleanups, plan: ['dmc-159-2020.thematic-report'] });
    const skipped = await h.db.query<{ step: string }>("select step from reminder_steps where obligation_id = 'dmc-159-2020.thematic-report' and status = 'skipped'");
    expect(skipped.length).toBeGreaterThan(0);

    const vp = await signIn(app, access, h.clock, { username: 'vp', role: 'admin', unitId: 'dmc' });
    for (const url of ['/deliveries', '/deliveries?status=skipped']) {
      const page = await vp.get(url);
      expect(page.body).toContain('Lượt nhắc không gửi vì dịch vụ ngừng quá lâu');
      for (const { step } of skipped) expect(page.body).toContain(`<td>${step}</td>`);
    }
    // Sent rows only: the section is not shown.
    expect((await vp.get('/deliveries?status=sent')).body).not.toContain('Lượt nhắc không gửi');
  });
});
