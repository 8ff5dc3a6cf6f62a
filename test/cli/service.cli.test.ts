import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapture } from '../support/cli.js';
import { MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { shippedConfig } from '../support/shipped-config.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const cli = (...argv: string[]) => runCapture(argv);

// The embedded defaults (PGlite under a temporary data folder) and a real SMTP server on loopback.
let dataDir: string;
let smtp: TestSmtp;
const saved = { ...process.env };
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hanchot-cli-data-'));
  smtp = await startSmtp();
  delete process.env.DATABASE_URL;
  process.env.HANCHOT_DATA_DIR = dataDir;
  process.env.SMTP_URL = smtp.url;
  process.env.LOG_LEVEL = 'silent';
});
afterAll(async () => {
  process.env = saved;
  await smtp.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('hanchot migrate, sync and remind --now on the embedded database', () => {
  it('migrate creates the schema and says where it stands; a second run changes nothing', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`(pglite) đã ở phiên bản ${MIGRATIONS.at(-1)!.id} (${MIGRATIONS.length} migration)`);
    expect((await cli('migrate')).out).toBe(first.out);
  });

  it('sync --dry-run lists the changes, sync applies them, and a second sync finds nothing', async () => {
    const dry = await cli('sync', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^Sẽ thay đổi \(\d+\):/);
    expect(dry.out).toContain('+ nhiệm vụ dmc-159-2020.thematic-report');
    const applied = await cli('sync');
    expect(applied.out).toMatch(/^Đã thay đổi/);
    expect((await cli('sync', '--dry-run')).out).toBe('Không có gì thay đổi: cơ sở dữ liệu đã khớp với config/.');
  });

  it('remind --now reaches the SMTP server once per contact; a second run the same day sends nothing', async () => {
    const r = await cli('remind', 'dmc-159-2020.thematic-report', '--occurrence', '2027', '--now');
    expect(r.err).toContain('bỏ qua giờ yên lặng');
    expect(r.code).toBe(0);
    // The report is owed by the grassroots unions under LĐLĐ huyện Dương Minh Châu: each of their contacts, once.
    const { catalogue } = await shippedConfig();
    const expected = catalogue.units.filter((u) => u.parent === 'dmc').flatMap((u) => u.contacts.map((c) => c.email!)).sort();
    const n = expected.length;
    expect(r.out).toContain(`${n} lượt gửi (${n} mới), ${n} thư đã gửi`);
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual(expected);
    const mail = await simpleParser(smtp.received[0]!.raw);
    expect(mail.subject).toContain('Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
    const again = await cli('remind', 'dmc-159-2020.thematic-report', '--occurrence', '2027', '--now');
    expect(again.out).toContain('không gửi lại');
    expect(smtp.received).toHaveLength(n);
  }, 30_000);

  it('remind refuses an unknown obligation or occurrence, and needs --now', async () => {
    expect((await cli('remind', 'no-such-obligation', '--now')).code).toBe(1);
    const key = await cli('remind', 'dmc-159-2020.thematic-report', '--occurrence', '1999', '--now');
    expect(key.code).toBe(1);
    expect(key.err).toMatch(/không có kỳ "1999"/);
    expect((await cli('remind', 'dmc-159-2020.thematic-report')).code).toBe(2);
  });

  it('without SMTP_URL messages go to the outbox as .eml files', async () => {
    delete process.env.SMTP_URL;
    try {
      const r = await cli('remind', 'dmc-159-2020.year-end-staff-rating', '--occurrence', '2027', '--now');
      expect(r.code).toBe(0);
      const files = await readdir(join(dataDir, 'outbox'));
      expect(files.filter((f) => f.endsWith('.eml')).length).toBeGreaterThan(0);
    } finally {
      process.env.SMTP_URL = smtp.url;
    }
  });
});
