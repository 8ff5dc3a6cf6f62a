import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/app/access.js';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { LayeredCalendar } from '../../src/app/calendar-edit.js';
import { httpWorld, type HttpWorld } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { startSmtp } from '../support/smtp.js';
import { cleanupList, until } from '../support/wait.js';

/** Debian's Chromium (installed by .ci/run); HANCHOT_CHROMIUM may point at another build. */
const CHROMIUM = process.env.HANCHOT_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

let loaded: Awaited<ReturnType<typeof shippedConfig>>;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does)`);
  loaded = await shippedConfig();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await mkdir(SHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

const PASSWORD = 'mật khẩu văn phòng 2027';

/** Makes the console admin, serves the world's app on a loopback port, and opens a phone-sized page in a browser context of its own. */
async function browse({ h, app, access }: HttpWorld, admin: { username: string; displayName: string; unitId: string }): Promise<{ base: string; page: Page }> {
  await createUser({ store: access, clock: h.clock }, { ...admin, password: PASSWORD, role: 'admin' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const context = await browser.newContext({ viewport: { width: 420, height: 900 }, locale: 'vi-VN' });
  cleanups.push(() => context.close());
  return { base, page: await context.newPage() };
}

/** Fills in the login form the page shows and sends it. */
async function logIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe('the console in a real browser (headless Chromium)', () => {
  it('log in, enter a directive and a yearly obligation with its preview, send a reminder now, complete through the signed link, see the dashboard change', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    // Thursday 25/11/2027, 09:00.
    const world = await httpWorld({ start: '2027-11-25T09:00:00+07:00', loaded, cleanups, bullmq: true, smtpUrl: smtp.url });
    const { h } = world;
    h.startWorkers();
    const { base, page } = await browse(world, { username: 'vp-dmc', displayName: 'Văn phòng LĐLĐ huyện', unitId: 'dmc' });

    // Log in.
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await logIn(page, 'vp-dmc');
    await page.getByRole('heading', { name: 'Bảng điều khiển' }).waitFor();
    await shot(page, '01-dashboard-before');

    // A directive, entered by hand (the import page also offers pasting its text: the manual form is the one posting to /import).
    await page.getByRole('link', { name: 'Nhập văn bản' }).click();
    const manual = page.locator('form[action="/import"]');
    await manual.getByLabel('Mã văn bản').fill('dmc-210-2027');
    await manual.getByLabel('Số, ký hiệu').fill('210/LĐLĐ');
    await manual.getByLabel('Cơ quan ban hành').fill('LĐLĐ huyện Dương Minh Châu');
    await manual.getByLabel('Ngày ban hành').fill('2027-11-20');
    await manual.getByLabel('Trích yếu').fill('V/v tổng kết năm');
    await manual.getByRole('button', { name: 'Lưu văn bản và thêm nhiệm vụ' }).click();

    // A yearly obligation on 05/12 (a Sunday in 2027): its preview shows the move to Monday 06/12.
    await page.getByLabel('Mã nhiệm vụ').fill('dmc-210-2027.tong-ket');
    await page.getByLabel('Tên nhiệm vụ').fill('Báo cáo tổng kết hoạt động công đoàn năm');
    await page.getByLabel('Loại').selectOption('yearly');
    await page.getByLabel('Tháng', { exact: true }).fill('12');
    await page.getByLabel('Ngày trong tháng (hoặc "last")').fill('5');
    await page.getByLabel('giao mọi đơn vị trực thuộc Liên đoàn Lao động huyện Dương Minh Châu').check();
    await page.getByRole('button', { name: 'Xem trước các kỳ hạn' }).click();
    await page.getByText('trùng ngày nghỉ, hạn thực tế thứ Hai, 06/12/2027').waitFor();
    await shot(page, '02-obligation-preview');
    await page.getByRole('button', { name: 'Lưu nhiệm vụ' }).click();
    await page.getByRole('heading', { name: 'Báo cáo tổng kết hoạt động công đoàn năm' }).waitFor();
    await shot(page, '03-obligation');

    // Send now: the workers send one email per contact of the district's unions.
    const contacts = loaded.catalogue.units.filter((u) => u.parent === 'dmc').flatMap((u) => u.contacts).length;
    await page.getByRole('button', { name: 'Gửi nhắc ngay kỳ gần nhất' }).click();
    await until('every reminder accepted by the SMTP server', () => smtp.received.length >= contacts || undefined, 30_000);
    await until('the delivery log to show them sent', async () => (await h.db.query("select 1 from deliveries where obligation_id = 'dmc-210-2027.tong-ket' and status = 'sent'")).length >= contacts || undefined);
    await page.goto(`${base}/deliveries?status=sent&obligation=dmc-210-2027.tong-ket`);
    expect(await page.locator('tbody tr, table tr').filter({ hasText: 'dmc-210-2027.tong-ket' }).count()).toBe(contacts);
    await shot(page, '04-deliveries');

    // The chairperson of THPT Dương Minh Châu completes from the link in their email.
    const mail = await Promise.all(smtp.received.filter((m) => m.to.includes('chutich.thpt-dmc@example.org')).map((m) => simpleParser(m.raw)));
    const link = /Xác nhận đã hoàn thành \(hoặc xin gia hạn\): (\S+)/.exec(mail[0]!.text!)![1]!;
    const officer = await browser.newPage();
    cleanups.push(() => officer.close());
    await officer.goto(`${base}${new URL(link).pathname}`);
    await officer.getByLabel('Ghi chú (không bắt buộc)').fill('Đã gửi bản giấy');
    await shot(officer, '05-signed-link');
    await officer.getByRole('button', { name: 'Xác nhận đã hoàn thành' }).click();
    await officer.getByText('Đã ghi nhận: hoàn thành đúng hạn').waitFor();

    // The dashboard now counts one on time for that union.
    await page.goto(`${base}/`);
    const row = page.locator('tr').filter({ hasText: 'CĐCS Trường THPT Dương Minh Châu' }).filter({ hasText: 'xanh' });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('● xanh 100%');
    expect(await row.locator('td').nth(2).textContent()).toBe('1');
    await shot(page, '06-dashboard-after');
  }, 90_000);

  it('the root admin enters a swap on the calendar page, sees it in the year and removes it; the escalation view lists an overdue unit', async () => {
    // Tuesday 2/11/2027: the thematic report was due Monday 1/11.
    const calendar = new LayeredCalendar(loaded.catalogue.calendarRules, loaded.catalogue.decrees, dateHolidaysLunar());
    const world = await httpWorld({ start: '2027-11-02T10:00:00+07:00', loaded: { catalogue: loaded.catalogue, calendar }, cleanups, plan: ['dmc-159-2020.thematic-report'] });
    const { base, page } = await browse(world, { username: 'vp-tinh', displayName: 'Văn phòng LĐLĐ tỉnh', unitId: 'tld' });
    await page.goto(`${base}/login`);
    await logIn(page, 'vp-tinh');

    await page.goto(`${base}/calendar/2027`);
    await page.getByLabel('Ngày nghỉ (đang là ngày làm việc)').fill('2027-11-19');
    await page.getByLabel('Ngày làm bù (thứ Bảy / Chủ nhật)').fill('2027-11-27');
    await page.getByRole('button', { name: 'Thêm hoán đổi' }).click();
    const made = page.locator('tr').filter({ hasText: 'Làm bù cho thứ Sáu, 19/11/2027' });
    await made.waitFor();
    expect(await made.locator('td').nth(1).textContent()).toBe('đi làm bù');
    expect(calendar.isWorkingDay('2027-11-27')).toBe(true);
    await shot(page, '07-calendar-swap');
    // On a phone-sized screen the button is visible (a fourth column would be hidden).
    await made.getByRole('button', { name: 'Bỏ hoán đổi' }).click();
    await page.getByRole('heading', { name: 'Lịch nghỉ năm 2027' }).waitFor();
    expect(await page.locator('tr').filter({ hasText: '19/11/2027' }).count()).toBe(0);

    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Xem các bước chuyển cấp đã gửi và sắp gửi →' }).click();
    const overdue = page.locator('tr').filter({ hasText: 'CĐCS Trường THPT Dương Minh Châu' });
    await overdue.waitFor();
    expect(await overdue.locator('td').nth(2).textContent()).toContain('Cấp 1: lãnh đạo đơn vị');
    // Readable on a phone: the next step is on screen, not in a hidden column.
    expect(await overdue.locator('td').nth(2).isVisible()).toBe(true);
    await shot(page, '08-escalations');
  }, 90_000);

  it('an admin pastes a directive, reviews the deadlines found with their sentences, and accepts them into planned obligations', async () => {
    const world = await httpWorld({ start: '2027-11-25T09:00:00+07:00', loaded, cleanups });
    const { h } = world;
    const { base, page } = await browse(world, { username: 'vp-dmc', displayName: 'Văn phòng LĐLĐ huyện', unitId: 'dmc' });
    await page.goto(`${base}/login`);
    await logIn(page, 'vp-dmc');

    await page.getByRole('link', { name: 'Nhập văn bản' }).click();
    const text = readFileSync(new URL('../fixtures/seeds/002_2904283af29c99e8.txt', import.meta.url), 'utf8');
    const paste = page.locator('form[action="/import/text"]');
    await paste.getByLabel('Nội dung văn bản').fill(text);
    await paste.getByLabel('Mã văn bản').fill('tdg-865-nhap');
    await paste.getByRole('button', { name: 'Đọc văn bản và đề xuất nhiệm vụ' }).click();
    await page.getByText('tìm thấy 3 thời hạn, còn 3 chưa duyệt').waitFor();
    // The phrase is marked inside its sentence.
    expect(await page.locator('mark').first().textContent()).toBe('hoàn thành trước ngày 31/5/2023');
    await shot(page, '09-import-drafts');

    // The first one by hand, with a shorter title; the rest in one step.
    await page.getByLabel('Tên nhiệm vụ').first().fill('Đại hội Công đoàn cơ sở nhiệm kỳ 2023 - 2028');
    await page.getByRole('button', { name: 'Chấp nhận', exact: true }).first().click();
    await page.getByText('Đã chấp nhận thành nhiệm vụ').first().waitFor();
    await page.getByRole('button', { name: 'Chấp nhận tất cả' }).click();
    await page.getByText('tìm thấy 3 thời hạn, còn 0 chưa duyệt').waitFor();
    const made = await h.db.query<{ id: string; title: string }>("select id, title from obligations where directive_id = 'tdg-865-nhap' order by id");
    expect(made.map((o) => o.id)).toEqual(['tdg-865-nhap.1', 'tdg-865-nhap.2', 'tdg-865-nhap.3']);
    expect(made[0]!.title).toBe('Đại hội Công đoàn cơ sở nhiệm kỳ 2023 - 2028');
    expect(h.recording!.plans).toEqual(made.map((o) => ({ obligationIds: [o.id] })));
    await shot(page, '10-import-accepted');
  }, 90_000);
});
