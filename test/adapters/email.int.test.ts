import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxChannel } from '../../src/adapters/email/outbox-channel.js';
import { createSmtpChannel, messageIdFor } from '../../src/adapters/email/smtp-channel.js';
import { readTemplates } from '../../src/adapters/files/templates.js';
import { PermanentError, RetryableError } from '../../src/app/errors.js';
import { renderReminder } from '../../src/app/messages/render-reminder.js';
import type { ReminderTemplates } from '../../src/app/messages/templates.js';
import type { Channel, OutgoingMessage } from '../../src/app/ports.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { reminderIcs, unfoldIcs } from '../../src/domain/ics.js';
import { buildReminderMessage, type DigestItem } from '../../src/domain/reminder-message.js';
import { CONFIG_DIR, shippedConfig } from '../support/shipped-config.js';
import { SMTP_PASS, SMTP_USER, startSmtp as startTestSmtp } from '../support/smtp.js';
import { THEMATIC_REPORT_ITEM } from '../support/digest-items.js';

const USER = SMTP_USER;
const PASS = SMTP_PASS;
const FROM = 'Hạn Chót <hanchot@ldld.example.vn>';

let calendar: WorkingCalendar;
let templates: ReminderTemplates;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
  templates = await readTemplates(CONFIG_DIR);
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real SMTP server on loopback, closed after the test. */
async function startSmtp(rcpt?: Parameters<typeof startTestSmtp>[0]) {
  const server = await startTestSmtp(rcpt);
  cleanups.push(() => server.close());
  return server;
}

function smtpChannel(port: number, overrides: Partial<Parameters<typeof createSmtpChannel>[0]> = {}): Channel {
  const channel = createSmtpChannel({
    url: `smtp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${port}`,
    from: FROM,
    pool: true,
    connectionTimeoutMs: 2_000,
    greetingTimeoutMs: 2_000,
    ...overrides,
  });
  cleanups.push(() => channel.close());
  return channel;
}

const thematic: DigestItem = { ...THEMATIC_REPORT_ITEM, actionUrl: 'https://hanchot.example.vn/a/t0k3n?buoc=7d&don-vi=pm' };

function reminder(email: string, messageKey = `dmc-159-2020.thematic-report·2027·pm·7d·pm.chairman·email·${email}`): OutgoingMessage {
  const view = buildReminderMessage({
    today: '2027-10-23',
    recipientName: 'Nguyễn Thị Hồng Nhung',
    unitName: 'Công đoàn cơ sở Trường THCS Phước Minh',
    items: [thematic, { ...thematic, obligationId: 'dmc-94-kh-2021.review', title: 'Sơ kết 6 tháng đầu năm', actionUrl: undefined, nominalDue: '2027-10-26', effectiveDue: '2027-10-26', step: '3wd' }],
    calendar,
  });
  const ics = reminderIcs(view, { dtstamp: DateTime.now(), uidDomain: 'hanchot.example.vn', fallbackUrl: 'https://hanchot.example.vn/' });
  return renderReminder(view, templates, {
    messageKey,
    recipient: { contactId: 'pm.chairman', name: 'Nguyễn Thị Hồng Nhung', email },
    publicUrl: 'https://hanchot.example.vn/',
    calendarIcs: ics,
  });
}

function expectReadableReminder(mail: ParsedMail) {
  expect(mail.subject).toBe('[Hạn Chót] 2 nhiệm vụ sắp đến hạn, gần nhất: Sơ kết 6 tháng đầu năm (hạn 26/10/2027)');
  expect(mail.from?.value[0]).toMatchObject({ name: 'Hạn Chót', address: 'hanchot@ldld.example.vn' });
  expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : undefined).toMatchObject({ name: 'Nguyễn Thị Hồng Nhung', address: 'nhung@example.test' });
  const text = mail.text ?? '';
  expect(text).toContain('Kính gửi đồng chí Nguyễn Thị Hồng Nhung (Công đoàn cơ sở Trường THCS Phước Minh),');
  expect(text).toContain('Hạn Chót xin nhắc 2 nhiệm vụ đơn vị được giao:');
  expect(text).toContain('1. Sơ kết 6 tháng đầu năm');
  expect(text).toContain('2. Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
  expect(text).toContain('   Văn bản: số 159/LĐLĐ – V/v thực hiện Kết luận số 19-KL/TU (mục 3)');
  expect(text).toContain('   Hạn: thứ Bảy, 30/10/2027 – còn 7 ngày (5 ngày làm việc)');
  expect(text).toContain('   Lưu ý: trùng ngày nghỉ, hạn thực tế thứ Hai, 01/11/2027');
  expect(text).toContain('   Xác nhận đã hoàn thành (hoặc xin gia hạn): https://hanchot.example.vn/a/t0k3n?buoc=7d&don-vi=pm');
  expect(text).toContain('   Xác nhận đã hoàn thành (hoặc xin gia hạn): https://hanchot.example.vn/\n');
  expect(text).toContain('Đồng chí nhận được thư này vì Công đoàn cơ sở Trường THCS Phước Minh được giao');
  expect(text).toBe(text.normalize('NFC'));
  const html = typeof mail.html === 'string' ? mail.html : '';
  expect(html).toContain('<strong>Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU</strong>');
  expect(html).toContain('<a href="https://hanchot.example.vn/a/t0k3n?buoc=7d&amp;don-vi=pm">');
  expect(html).toContain('<strong>thứ Bảy, 30/10/2027</strong> – còn 7 ngày (5 ngày làm việc)');
  expect(mail.headers.get('auto-submitted')).toBe('auto-generated');

  expect(mail.attachments).toHaveLength(1);
  const [ics] = mail.attachments;
  expect(ics?.filename).toBe('han-chot.ics');
  expect(ics?.contentType).toBe('text/calendar');
  const calendarText = ics?.content.toString('utf8') ?? '';
  const lines = unfoldIcs(calendarText).split('\r\n');
  expect(lines).toContain('METHOD:PUBLISH');
  expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(2);
  expect(lines).toContain('UID:dmc-159-2020.thematic-report.2027@hanchot.example.vn');
  expect(lines).toContain('DTSTART;VALUE=DATE:20271101');
  expect(lines).toContain('SUMMARY:Hạn: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
  expect(lines).toContain('BEGIN:VALARM');
  for (const physical of calendarText.split('\r\n')) expect(Buffer.byteLength(physical)).toBeLessThanOrEqual(75);
}

describe('SMTP channel against a real SMTP server on loopback', () => {
  it('delivers a reminder that reads back intact: subject, Vietnamese text, HTML, links, .ics', async () => {
    const smtp = await startSmtp();
    const channel = smtpChannel(smtp.port);
    const message = reminder('nhung@example.test');
    const result = await channel.send(message);

    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]).toMatchObject({ from: 'hanchot@ldld.example.vn', to: ['nhung@example.test'] });
    const mail = await simpleParser(smtp.received[0]!.raw);
    expectReadableReminder(mail);
    expect(mail.messageId).toBe(messageIdFor(message.messageKey, 'ldld.example.vn'));
    expect(result.providerId).toBe(mail.messageId);
  });

  it('sends the MIME message built in memory as it is: CRLF lines, every header, nothing added or lost', async () => {
    const smtp = await startSmtp();
    const channel = smtpChannel(smtp.port);
    const message = reminder('nhung@example.test', 'key-raw');
    await channel.send(message);
    const raw = smtp.received[0]!.raw.toString('utf8');
    expect(raw).not.toMatch(/[^\r]\n/);
    const headers = raw.slice(0, raw.indexOf('\r\n\r\n'));
    for (const h of ['From:', 'To:', 'Subject:', 'Message-ID:', 'Date:', 'MIME-Version:', 'Auto-Submitted: auto-generated', 'X-Auto-Response-Suppress: All', 'X-Hanchot-Message-Key: key-raw']) {
      expect(headers).toContain(h);
    }
    const mail = await simpleParser(smtp.received[0]!.raw);
    expect(mail.headers.get('x-hanchot-message-key')).toBe('key-raw');
    expect(mail.text).toBe(message.text);
  });

  it('gives a re-sent message the same Message-ID, and a different message another', async () => {
    const smtp = await startSmtp();
    const channel = smtpChannel(smtp.port);
    const a = await channel.send(reminder('nhung@example.test', 'key-a'));
    const again = await channel.send(reminder('nhung@example.test', 'key-a'));
    const b = await channel.send(reminder('nhung@example.test', 'key-b'));
    expect(again.providerId).toBe(a.providerId);
    expect(b.providerId).not.toBe(a.providerId);
    const ids = await Promise.all(smtp.received.map(async (r) => (await simpleParser(r.raw)).messageId));
    expect(ids).toEqual([a.providerId, a.providerId, b.providerId]);
  });

  it('can and cannot reach', () => {
    const channel = smtpChannel(1);
    expect(channel.name).toBe('email');
    expect(channel.canReach({ contactId: 'c', name: 'A', email: 'a@example.test' })).toBe(true);
    expect(channel.canReach({ contactId: 'c', name: 'A' })).toBe(false);
    expect(channel.canReach({ contactId: 'c', name: 'A', email: '  ' })).toBe(false);
  });

  it('a 550 recipient rejection is permanent (smtp_550), and the pool goes on delivering to others', async () => {
    const smtp = await startSmtp((a) => (a.address.startsWith('nobody@') ? 550 : undefined));
    const channel = smtpChannel(smtp.port);
    const err = await channel.send(reminder('nobody@example.test')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'smtp_550' });
    expect((err as Error).message).toContain('550');

    await channel.send(reminder('nhung@example.test'));
    expect(smtp.received.map((r) => r.to)).toEqual([['nhung@example.test']]);
  });

  it('a 451 recipient deferral is retryable (smtp_451)', async () => {
    const smtp = await startSmtp(() => 451);
    const err = await smtpChannel(smtp.port).send(reminder('nhung@example.test')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'smtp_451' });
    expect(smtp.received).toHaveLength(0);
  });

  it('wrong credentials are retryable (smtp_auth): the operator fixes SMTP_URL, the reminders wait', async () => {
    const smtp = await startSmtp();
    const channel = createSmtpChannel({ url: `smtp://${USER}:wrong@127.0.0.1:${smtp.port}`, from: FROM });
    cleanups.push(() => channel.close());
    const err = await channel.send(reminder('nhung@example.test')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'smtp_auth' });
  });

  it('nothing listening is retryable (ECONNREFUSED)', async () => {
    const port = await freePort();
    const err = await smtpChannel(port).send(reminder('nhung@example.test')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a server that never greets is retryable (ETIMEDOUT)', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    silent.on('connection', (socket) => cleanups.push(async () => socket.destroy()));
    const port = (silent.address() as AddressInfo).port;
    const err = await smtpChannel(port, { greetingTimeoutMs: 300 }).send(reminder('nhung@example.test')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('a recipient without an email address is a permanent failure without any connection', async () => {
    const channel = smtpChannel(await freePort());
    const { email: _none, ...recipient } = reminder('x@example.test').recipient;
    const err = await channel.send({ ...reminder('x@example.test'), recipient }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'no_email' });
  });

  it('refuses a URL that is not smtp:// or smtps://', () => {
    expect(() => createSmtpChannel({ url: 'http://127.0.0.1:25', from: FROM })).toThrow(/smtp:\/\/ hoặc smtps:\/\//);
  });
});

describe('outbox channel (no SMTP_URL)', () => {
  it('writes a parseable .eml, creating the folder, with a deterministic file name', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hanchot-outbox-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dir = join(root, 'data', 'outbox');
    const channel = createOutboxChannel({ dir, from: FROM });
    cleanups.push(() => channel.close());

    const message = reminder('nhung@example.test', 'dmc-159-2020.thematic-report·2027·pm·7d·pm.chairman·email');
    const first = await channel.send(message);
    expect(first.providerId.startsWith(dir)).toBe(true);
    expect(first.providerId).toMatch(/\/dmc-159-2020\.thematic-report_2027_pm_7d_pm\.chairman_email-[0-9a-f]{12}\.eml$/);

    const mail = await simpleParser(await readFile(first.providerId));
    expectReadableReminder(mail);
    expect(mail.messageId).toBe(messageIdFor(message.messageKey, 'ldld.example.vn'));

    // A re-send of the same message key overwrites the same file rather than adding one.
    const second = await channel.send(message);
    expect(second.providerId).toBe(first.providerId);
    expect(await readdir(dir)).toHaveLength(1);
    expect(channel.canReach({ contactId: 'c', name: 'A' })).toBe(false);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
