import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapture } from '../support/cli.js';
import { shippedConfig } from '../support/shipped-config.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';

/** One CLI run with the clock at `now` (HANCHOT_NOW), or the real clock. */
function cli(now: string | undefined, ...argv: string[]) {
  if (now) process.env.HANCHOT_NOW = now;
  else delete process.env.HANCHOT_NOW;
  return runCapture(argv);
}

// The embedded database (PGlite under a temporary folder), SMTP on loopback, and no Redis
// (a closed loopback port): the commands still work and say the planner will catch up.
let dataDir: string;
let smtp: TestSmtp;
const saved = { ...process.env };
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hanchot-cli-follow-up-'));
  smtp = await startSmtp();
  delete process.env.DATABASE_URL;
  process.env.HANCHOT_DATA_DIR = dataDir;
  process.env.SMTP_URL = smtp.url;
  process.env.REDIS_URL = 'redis://127.0.0.1:1';
  process.env.LOG_LEVEL = 'silent';
  expect((await cli(undefined, 'sync')).code).toBe(0);
  // remind --now records the 2027 occurrence and an assignment per unit owing it.
  expect((await cli('2027-10-22T09:00:00+07:00', 'remind', OBLIGATION, '--occurrence', '2027', '--now')).code).toBe(0);
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await smtp.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('hanchot done, extension, waive, reopen and report', () => {
  it('done records đúng hạn or trễ hạn against the effective due (Monday 01/11/2027 for 30/10), once', async () => {
    const first = await cli('2027-11-01T16:00:00+07:00', 'done', OBLIGATION, '--unit', 'dmc.thpt-dmc', '--occurrence', '2027', '--note', 'Đã gửi bản giấy', '--by', 'Phạm Thị Thu Hà');
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toBe('Đã ghi nhận hoàn thành đúng hạn: CĐCS Trường THPT Dương Minh Châu — Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (kỳ 2027, hạn thứ Hai, 01/11/2027).');
    const again = await cli('2027-11-02T09:00:00+07:00', 'done', OBLIGATION, '--unit', 'dmc.thpt-dmc');
    expect(again.out).toContain('Đã hoàn thành đúng hạn từ trước');
    const late = await cli('2027-11-02T09:00:00+07:00', 'done', `${OBLIGATION}|2027|dmc.ubnd-suoi-da`);
    expect(late.out).toContain('Đã ghi nhận hoàn thành trễ hạn: CĐCS UBND xã Suối Đá');
  });

  it('refuses bad input with a clear line: missing --unit (exit 2), unknown unit or occurrence (exit 1), a bad evidence link (exit 1)', async () => {
    expect((await cli(undefined, 'done', OBLIGATION)).code).toBe(2);
    const unknown = await cli(undefined, 'done', OBLIGATION, '--unit', 'no-such-unit');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('đơn vị no-such-unit không có kỳ nào');
    const occurrence = await cli(undefined, 'done', OBLIGATION, '--unit', 'dmc.ttyt-dmc', '--occurrence', '1999');
    expect(occurrence.err).toContain('không có kỳ "1999"; có: 2027');
    const evidence = await cli(undefined, 'done', OBLIGATION, '--unit', 'dmc.ttyt-dmc', '--evidence', 'file:///etc/passwd');
    expect(evidence).toMatchObject({ code: 1 });
    expect(evidence.err).toContain('minh chứng phải là một liên kết');
  });

  it('an extension is requested, listed, approved once (audited) and the unit then counts as not yet due', async () => {
    const asked = await cli('2027-10-28T09:00:00+07:00', 'extension', 'request', OBLIGATION, '--unit', 'dmc.cty-cao-su-minh-chau', '--date', '2027-11-19', '--reason', 'Chờ số liệu của công đoàn bộ phận');
    expect(asked.code).toBe(0);
    const id = /số (\d+)/.exec(asked.out)![1]!;
    expect(asked.err).toBe('');
    expect((await cli(undefined, 'extension', 'list', '--pending')).out).toContain(`#${id} ${OBLIGATION} kỳ 2027, dmc.cty-cao-su-minh-chau: 01/11/2027 → 19/11/2027`);
    const approved = await cli('2027-10-29T09:00:00+07:00', 'extension', 'approve', id, '--by', 'VP LĐLĐ huyện');
    expect(approved.code).toBe(0);
    expect(approved.out).toContain('Đã duyệt');
    expect(approved.err).toContain('Redis không trả lời');
    const twice = await cli(undefined, 'extension', 'approve', id);
    expect(twice.code).toBe(1);
    expect(twice.err).toContain('đã được xử lý');
    expect((await cli(undefined, 'extension', 'frobnicate', '1')).code).toBe(2);
    expect((await cli(undefined, 'extension', 'request', OBLIGATION, '--unit', 'dmc.ttyt-dmc', '--date', '2027-02-30', '--reason', 'x')).code).toBe(2);
  });

  it('report --json counts per unit and per obligation on the given day, with the on-time rate', async () => {
    const { catalogue } = await shippedConfig();
    const owing = catalogue.units.filter((u) => u.parent === 'dmc').map((u) => u.id);
    const r = await cli('2027-11-03T09:00:00+07:00', 'report', '--unit', 'dmc', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { units: { unitId: string; name: string; onTime: number; late: number; overdue: number; upcoming: number; onTimeRate: number | null }[]; obligations: { obligationId: string; title: string; onTime: number; late: number; overdue: number; upcoming: number }[] };
    const unit = (id: string) => report.units.find((u) => u.unitId === id);
    expect(unit('dmc.thpt-dmc')).toMatchObject({ name: 'CĐCS Trường THPT Dương Minh Châu', onTime: 1, late: 0, overdue: 0, upcoming: 0, onTimeRate: 1 });
    expect(unit('dmc.ubnd-suoi-da')).toMatchObject({ onTime: 0, late: 1, onTimeRate: 0 });
    expect(unit('dmc.cty-cao-su-minh-chau')).toMatchObject({ upcoming: 1, overdue: 0, onTimeRate: null });
    expect(unit('dmc.ttyt-dmc')).toMatchObject({ overdue: 1, onTimeRate: 0 });
    expect(report.obligations.find((o) => o.obligationId === OBLIGATION)).toMatchObject({ onTime: 1, late: 1, upcoming: 1, overdue: owing.length - 3 });
    const human = await cli('2027-11-03T09:00:00+07:00', 'report', '--unit', 'dmc');
    expect(human.out).toContain('Báo cáo tình hình thực hiện nhiệm vụ đến thứ Tư, 03/11/2027 (đơn vị dmc và cấp dưới).');
    expect(human.out).toMatch(/Tổng: 1 đúng hạn, 1 trễ hạn, \d+ quá hạn chưa hoàn thành, 1 chưa đến hạn; tỷ lệ đúng hạn \d+(\.\d)?%\./);
    expect((await cli(undefined, 'report', '--unit', 'nowhere')).code).toBe(1);
    expect((await cli(undefined, 'report', '--from', '2027-11-05', '--to', '2027-11-01')).code).toBe(1);
  });

  it('waive needs a reason; reopen makes a waived assignment overdue again', async () => {
    expect((await cli(undefined, 'waive', OBLIGATION, '--unit', 'dmc.ttyt-dmc')).code).toBe(2);
    const waived = await cli('2027-11-03T09:00:00+07:00', 'waive', OBLIGATION, '--unit', 'dmc.ttyt-dmc', '--reason', 'Đơn vị sáp nhập');
    expect(waived.out).toBe('Đã miễn: CĐCS Trung tâm Y tế huyện Dương Minh Châu — Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (kỳ 2027, hạn thứ Hai, 01/11/2027).');
    const reopened = await cli('2027-11-03T10:00:00+07:00', 'reopen', OBLIGATION, '--unit', 'dmc.ttyt-dmc', '--occurrence', '2027', '--reason', 'Nhầm đơn vị');
    expect(reopened.out).toContain('nay quá hạn chưa hoàn thành');
  });

  it('feed prints a unit\'s subscription address; it needs exactly one of --unit and --contact', async () => {
    const r = await cli(undefined, 'feed', '--unit', 'dmc.thpt-dmc');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^http:\/\/localhost:3000\/ical\/f1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.ics$/);
    expect(r.err).toContain('CĐCS Trường THPT Dương Minh Châu');
    expect((await cli(undefined, 'feed')).code).toBe(2);
    expect((await cli(undefined, 'feed', '--unit', 'a', '--contact', 'b')).code).toBe(2);
    expect((await cli(undefined, 'feed', '--contact', 'nobody')).code).toBe(1);
  });

  it('user add reads the password from a file, never the command line; token create prints the token once; revoke ends it', async () => {
    const file = join(dataDir, 'password.txt');
    await writeFile(file, 'mật khẩu rất dài 789\nignored second line\n');
    const added = await cli(undefined, 'user', 'add', 'Lan', '--role', 'officer', '--unit', 'dmc.thpt-dmc', '--name', 'Nguyễn Thị Lan', '--password-file', file);
    expect(added).toMatchObject({ code: 0, out: 'Đã tạo người dùng lan (officer, dmc.thpt-dmc).' });
    expect((await cli(undefined, 'user', 'add', 'lan', '--role', 'officer', '--password-file', file)).err).toContain('đã có người dùng "lan"');
    await writeFile(file, 'ngắn\n');
    expect((await cli(undefined, 'user', 'add', 'binh', '--role', 'viewer', '--password-file', file)).err).toContain('ít nhất 10 ký tự');
    expect((await cli(undefined, 'user', 'add', 'binh', '--role', 'boss', '--password-file', file)).code).toBe(2);

    const created = await cli(undefined, 'token', 'create', 'erp-sync', '--role', 'viewer', '--unit', 'dmc');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^hct_[A-Za-z0-9_-]{43}$/);
    expect(created.err).toContain('không được in lại');
    const listed = await cli(undefined, 'token', 'list');
    expect(listed.out).toMatch(/#\d+ erp-sync — viewer, dmc$/m);
    expect(listed.out).not.toContain(created.out);
    const id = /#(\d+) erp-sync/.exec(listed.out)![1]!;
    expect((await cli(undefined, 'token', 'revoke', id)).out).toBe(`Đã thu hồi mã số ${id}.`);
    expect((await cli(undefined, 'token', 'revoke', id)).code).toBe(1);
    expect((await cli(undefined, 'token', 'create', 'x', '--role', 'admin', '--unit', 'nowhere')).err).toContain('không có đơn vị "nowhere"');
  });

  it('doctor says what is fine and what to fix; a broken SMTP server or half a Zalo configuration fails it', async () => {
    process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const fine = await cli('2027-11-03T09:00:00+07:00', 'doctor');
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    expect(fine.out).toContain('✓ SMTP:');
    expect(fine.out).toContain('! lịch nghỉ 2027: chưa có quyết định');
    // The machine's Redis keeps nothing on disk here (a warning); with AOF and noeviction it would pass.
    expect(fine.out).toMatch(/^[✓!] Redis: /m);
    expect(fine.out).toMatch(/✓ cơ sở dữ liệu: PGlite \(nhúng\), migration \d{4}_/);
    expect(fine.code).toBe(0);
    const saved = { smtp: process.env.SMTP_URL };
    process.env.SMTP_URL = 'smtp://127.0.0.1:1';
    process.env.ZALO_APP_ID = 'app-only';
    try {
      const broken = await cli(undefined, 'doctor');
      expect(broken.code).toBe(1);
      expect(broken.out).toContain('✗ SMTP: smtp://127.0.0.1:1');
      expect(broken.out).toContain('✗ Zalo: thiếu một trong ZALO_APP_ID, ZALO_APP_SECRET, ZALO_REFRESH_TOKEN');
      expect(broken.out).toContain('✗ Redis: redis://127.0.0.1:1 không trả lời');
      expect(broken.out).toMatch(/3 lỗi/);
    } finally {
      process.env.SMTP_URL = saved.smtp;
      delete process.env.ZALO_APP_ID;
    }
  });

  it('every new command has help', async () => {
    for (const name of ['done', 'reopen', 'waive', 'extension', 'report', 'feed', 'user', 'token', 'doctor']) {
      const help = await cli(undefined, name, '--help');
      expect(help.code, name).toBe(0);
      expect(help.out, name).toContain('Cách dùng: hanchot');
    }
  });
});
