import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { EscalationContent } from '../../src/app/escalate.js';
import { describeStep, renderEscalation, renderLeadershipDigest } from '../../src/app/messages/render-follow-up.js';
import type { ClaimedDelivery } from '../../src/app/stores.js';
import type { LeadershipDigest } from '../../src/domain/leadership-digest.js';

const ZONE = 'Asia/Ho_Chi_Minh';
const NOW = DateTime.fromISO('2027-11-08T08:00:00+07:00', { setZone: true });
/** A stand-in formatter that shows what it was given. */
const formatInstant = (iso: string, zone: string) => `<${iso} @ ${zone}>`;

const content = (over: Partial<EscalationContent> = {}): EscalationContent => ({
  kind: 'escalation',
  level: 1,
  repeat: 0,
  due: '2027-10-29',
  workingDaysOverdue: 6,
  unitName: 'CĐCS Trường A',
  notify: 'unit_leader',
  sent: [],
  ...over,
});

const delivery = (title: string, c: EscalationContent, over: Partial<ClaimedDelivery> = {}): ClaimedDelivery => ({
  idempotencyKey: `esc|${title}`,
  obligationId: 'dmc-159-2020.thematic-report',
  occurrenceKey: '2027',
  step: `esc.L${c.level}.R${c.repeat}`,
  unitId: 'u-a',
  unitName: 'LĐLĐ Quận 1',
  contactId: 'chu-tich',
  contactName: 'Trần Thị B',
  email: 'b@example.vn',
  phone: null,
  zaloUserId: null,
  channels: null,
  fireAt: NOW,
  channel: 'email',
  urgent: false,
  attempts: 0,
  title,
  rule: { kind: 'yearly', month: 10, day: 29 },
  directiveNumber: '159/LĐLĐ',
  directiveTitle: 'V/v thực hiện Kết luận số 19-KL/TU',
  nominalDue: c.due,
  effectiveDue: c.due,
  stillPending: true,
  acknowledged: false,
  purpose: 'escalation',
  content: c,
  ...over,
});

const escalation = (items: ClaimedDelivery[]) => renderEscalation({ recipientName: 'Trần Thị B', items, zone: ZONE, formatInstant });

describe('renderEscalation', () => {
  const sent: EscalationContent['sent'] = [
    { at: '2027-10-22T01:00:00.000Z', channel: 'zalo_zns', purpose: 'reminder', step: '7d', contactName: 'Nguyễn Văn A' },
    { at: '2027-10-27T01:00:00.000Z', channel: 'email', purpose: 'reminder', step: '3wd@dmc-159', contactName: 'Nguyễn Văn A' },
    { at: '2027-10-29T01:00:00.000Z', channel: 'zalo_oa', purpose: 'reminder', step: '0d', contactName: 'Lê Văn C' },
    { at: '2027-11-01T01:00:00.000Z', channel: 'sms', purpose: 'escalation', step: 'esc.L1.R0', contactName: 'Lê Văn C' },
  ];

  it('one item: the subject names the working days overdue, the unit and the title', () => {
    const r = escalation([delivery('Báo cáo chuyên đề', content())]);
    expect(r.subject).toBe('[Hạn Chót] Quá hạn 6 ngày làm việc: CĐCS Trường A – Báo cáo chuyên đề');
  });

  it('one item: the text gives the directive, the due with its weekday, the level, and every reminder sent (time, channel, contact, step)', () => {
    const r = escalation([delivery('Báo cáo chuyên đề', content({ level: 2, repeat: 1, sent }))]);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('Kính gửi đồng chí Trần Thị B,');
    expect(lines).toContain('1. CĐCS Trường A: Báo cáo chuyên đề');
    expect(lines).toContain('   Văn bản: số 159/LĐLĐ – V/v thực hiện Kết luận số 19-KL/TU');
    expect(lines).toContain('   Hạn: thứ Sáu, 29/10/2027 – quá hạn 6 ngày làm việc');
    expect(lines).toContain('   Mức: chuyển cấp 2, nhắc lại lần 1');
    expect(lines).toContain('   Đơn vị đã được nhắc 4 lần:');
    expect(lines).toContain(`     - <2027-10-22T01:00:00.000Z @ ${ZONE}> qua Zalo (ZNS) tới Nguyễn Văn A (nhắc trước 7 ngày)`);
    expect(lines).toContain(`     - <2027-10-27T01:00:00.000Z @ ${ZONE}> qua email tới Nguyễn Văn A (nhắc trước 3 ngày làm việc)`);
    expect(lines).toContain(`     - <2027-10-29T01:00:00.000Z @ ${ZONE}> qua Zalo OA tới Lê Văn C (nhắc đúng ngày hạn)`);
    // An unknown channel is named as it is.
    expect(lines).toContain(`     - <2027-11-01T01:00:00.000Z @ ${ZONE}> qua sms tới Lê Văn C (chuyển cấp 1)`);
    expect(r.text).not.toContain('chưa nhận được lời nhắc nào');
    expect(r.text.endsWith('\n')).toBe(true);
  });

  it('one item with no reminder sent: says the unit has received none; level 1 with no repeat says just the level', () => {
    const r = escalation([delivery('Báo cáo chuyên đề', content({ sent: [] }))]);
    expect(r.text).toContain('   Đơn vị chưa nhận được lời nhắc nào qua Hạn Chót.');
    expect(r.text).not.toContain('đã được nhắc');
    expect(r.text.split('\n')).toContain('   Mức: chuyển cấp 1');
  });

  it('a directive without a title: just its number', () => {
    const r = escalation([delivery('Báo cáo', content(), { directiveTitle: '' })]);
    expect(r.text.split('\n')).toContain('   Văn bản: số 159/LĐLĐ');
  });

  it('two items in two units: the subject counts the items and the units; both are listed in order', () => {
    const r = escalation([
      delivery('Báo cáo chuyên đề', content({ sent })),
      delivery('Báo cáo quý III', content({ unitName: 'CĐCS Bệnh viện B', due: '2027-10-15', workingDaysOverdue: 16, level: 2, repeat: 2 })),
    ]);
    expect(r.subject).toBe('[Hạn Chót] 2 nhiệm vụ quá hạn chưa hoàn thành (2 đơn vị)');
    const lines = r.text.split('\n');
    const first = lines.indexOf('1. CĐCS Trường A: Báo cáo chuyên đề');
    const second = lines.indexOf('2. CĐCS Bệnh viện B: Báo cáo quý III');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(lines).toContain('   Hạn: thứ Sáu, 15/10/2027 – quá hạn 16 ngày làm việc');
    expect(lines).toContain('   Mức: chuyển cấp 2, nhắc lại lần 2');
    // The first unit was reminded, the second was not.
    expect(lines.slice(first, second).join('\n')).toContain('Đơn vị đã được nhắc 4 lần:');
    expect(lines.slice(second).join('\n')).toContain('Đơn vị chưa nhận được lời nhắc nào qua Hạn Chót.');
    expect(r.zalo).toMatchObject({ itemCount: '2', otherCount: 'và 1 nhiệm vụ khác', unitName: 'CĐCS Trường A', title: 'Báo cáo chuyên đề' });
  });

  it('two items in the same unit: one unit', () => {
    const r = escalation([delivery('Báo cáo A', content()), delivery('Báo cáo B', content({ workingDaysOverdue: 9 }))]);
    expect(r.subject).toBe('[Hạn Chót] 2 nhiệm vụ quá hạn chưa hoàn thành (1 đơn vị)');
  });

  it('Zalo fields for one item', () => {
    const r = escalation([delivery('Báo cáo chuyên đề', content())]);
    expect(r.zalo).toEqual({
      recipientName: 'Trần Thị B',
      unitName: 'CĐCS Trường A',
      title: 'Báo cáo chuyên đề',
      directive: '159/LĐLĐ',
      due: '29/10/2027',
      timeLeft: 'quá hạn 6 ngày làm việc',
      itemCount: '1',
      otherCount: '',
    });
  });

  it('HTML escapes markup from the data (title, unit, contact) and keeps the text', () => {
    const r = escalation([
      delivery(
        '<script>alert("x")</script> & co',
        content({ unitName: '<b>Đơn vị</b>', sent: [{ at: '2027-10-22T01:00:00.000Z', channel: 'email', purpose: 'reminder', step: '7d', contactName: "O'Brien <img src=x>" }] }),
      ),
    ]);
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<b>');
    expect(r.html).not.toContain('<img');
    expect(r.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(r.html).toContain('O&#39;Brien &lt;img src=x&gt;');
    expect(r.html).toMatch(/<title>\[Hạn Chót\] Quá hạn 6 ngày làm việc: &lt;b&gt;Đơn vị&lt;\/b&gt; – &lt;script&gt;/);
    expect(r.html.startsWith('<!DOCTYPE html>')).toBe(true);
    // The plain text is the text, unescaped.
    expect(r.text).toContain('<script>alert("x")</script> & co');
  });

  it('subject, text and html are NFC even when the data is decomposed (NFD)', () => {
    const nfd = (s: string) => s.normalize('NFD');
    const r = escalation([delivery(nfd('Báo cáo chuyên đề'), content({ unitName: nfd('CĐCS Trường A') }))]);
    expect(r.subject).toBe('[Hạn Chót] Quá hạn 6 ngày làm việc: CĐCS Trường A – Báo cáo chuyên đề');
    for (const s of [r.subject, r.text, r.html]) expect(s).toBe(s.normalize('NFC'));
  });
});

describe('renderLeadershipDigest', () => {
  const line = (unitName: string, title: string, due: string, workingDays: number) => ({ unitName, title, directiveNumber: '159/LĐLĐ', due, workingDays });
  const DIGEST: LeadershipDigest = {
    kind: 'digest',
    runOn: '2027-11-15',
    scopeUnitName: 'LĐLĐ Quận 1',
    totals: { overdue: 3, late: 1, upcoming: 2, units: 3 },
    units: [
      { unitId: 'u-a', unitName: 'CĐCS Trường A', overdue: 2, late: 1, upcoming: 0 },
      { unitId: 'u-b', unitName: 'CĐCS Bệnh viện B', overdue: 1, late: 0, upcoming: 2 },
    ],
    moreUnits: 1,
    overdue: [line('CĐCS Trường A', 'Báo cáo quý III', '2027-11-01', 10), line('CĐCS Bệnh viện B', 'Báo cáo tháng', '2027-11-10', 3)],
    moreOverdue: 1,
    late: [line('CĐCS Trường A', 'Báo cáo chuyên đề', '2027-11-03', 3)],
    moreLate: 0,
    upcoming: [line('CĐCS Bệnh viện B', 'Kế hoạch năm', '2027-11-15', 0), line('CĐCS Bệnh viện B', 'Báo cáo năm', '2027-11-29', 10)],
    moreUpcoming: 0,
  };
  const render = (digest: LeadershipDigest = DIGEST) => renderLeadershipDigest({ recipientName: 'Phạm Văn D', digest });

  it('subject: the week and the three totals', () => {
    expect(render().subject).toBe('[Hạn Chót] Tổng hợp tuần 15/11/2027: 3 quá hạn, 1 trễ hạn, 2 sắp đến hạn');
  });

  it('text: the scope and totals, the per-unit table, then the three sections under their headings, in order', () => {
    const lines = render().text.split('\n');
    expect(lines[0]).toBe('Kính gửi đồng chí Phạm Văn D,');
    expect(lines).toContain('Tình hình thực hiện nhiệm vụ của các đơn vị trực thuộc LĐLĐ Quận 1 đến thứ Hai, 15/11/2027:');
    expect(lines).toContain('- Quá hạn chưa hoàn thành: 3');
    expect(lines).toContain('- Hoàn thành trễ hạn trong tuần qua: 1');
    expect(lines).toContain('- Đến hạn trong 2 tuần tới: 2');
    expect(lines).toContain('Theo đơn vị (quá hạn / trễ hạn / sắp đến hạn):');
    expect(lines).toContain('  CĐCS Trường A: 2 / 1 / 0');
    expect(lines).toContain('  CĐCS Bệnh viện B: 1 / 0 / 2');
    expect(lines).toContain('  … và 1 đơn vị khác');

    const headings = ['QUÁ HẠN CHƯA HOÀN THÀNH', 'HOÀN THÀNH TRỄ HẠN (tuần qua)', 'ĐẾN HẠN TRONG 2 TUẦN TỚI'].map((h) => lines.indexOf(h));
    expect(headings.every((i) => i > 0)).toBe(true);
    expect(headings).toEqual([...headings].sort((a, b) => a - b));
    expect(lines.slice(headings[0]! + 1, headings[1]!)).toEqual([
      '  1. CĐCS Trường A: Báo cáo quý III (số 159/LĐLĐ) – hạn 01/11/2027, quá 10 ngày làm việc',
      '  2. CĐCS Bệnh viện B: Báo cáo tháng (số 159/LĐLĐ) – hạn 10/11/2027, quá 3 ngày làm việc',
      '  … và 1 mục khác',
      '',
    ]);
    expect(lines).toContain('  1. CĐCS Trường A: Báo cáo chuyên đề (số 159/LĐLĐ) – hạn 03/11/2027, trễ 3 ngày làm việc');
    expect(lines).toContain('  1. CĐCS Bệnh viện B: Kế hoạch năm (số 159/LĐLĐ) – hạn 15/11/2027, hạn hôm nay');
    expect(lines).toContain('  2. CĐCS Bệnh viện B: Báo cáo năm (số 159/LĐLĐ) – hạn 29/11/2027, còn 10 ngày làm việc');
  });

  it('an empty week: a single sentence, no table and no section', () => {
    const empty: LeadershipDigest = {
      ...DIGEST,
      totals: { overdue: 0, late: 0, upcoming: 0, units: 0 },
      units: [],
      moreUnits: 0,
      overdue: [],
      moreOverdue: 0,
      late: [],
      upcoming: [],
    };
    const r = render(empty);
    expect(r.subject).toBe('[Hạn Chót] Tổng hợp tuần 15/11/2027: 0 quá hạn, 0 trễ hạn, 0 sắp đến hạn');
    expect(r.text).toContain('Tuần này không có nhiệm vụ nào quá hạn, trễ hạn hay sắp đến hạn.');
    for (const absent of ['Theo đơn vị', 'QUÁ HẠN CHƯA HOÀN THÀNH', 'HOÀN THÀNH TRỄ HẠN', 'ĐẾN HẠN TRONG 2 TUẦN TỚI']) expect(r.text).not.toContain(absent);
  });

  it('Zalo fields and escaped HTML', () => {
    const r = render({ ...DIGEST, scopeUnitName: 'LĐLĐ <Quận 1>' });
    expect(r.zalo).toEqual({
      recipientName: 'Phạm Văn D',
      unitName: 'LĐLĐ <Quận 1>',
      title: 'Tổng hợp tuần 15/11/2027',
      directive: '',
      due: '15/11/2027',
      timeLeft: '3 quá hạn, 2 sắp đến hạn',
      itemCount: '6',
      otherCount: '',
    });
    expect(r.html).toContain('LĐLĐ &lt;Quận 1&gt;');
    expect(r.html).not.toContain('<Quận 1>');
  });
});

describe('describeStep', () => {
  it.each([
    ['7d', 'nhắc trước 7 ngày'],
    ['30d', 'nhắc trước 30 ngày'],
    ['3wd', 'nhắc trước 3 ngày làm việc'],
    ['1wd', 'nhắc trước 1 ngày làm việc'],
    ['0d', 'nhắc đúng ngày hạn'],
    ['0wd', 'nhắc đúng ngày hạn'],
    ['7d@dmc.x', 'nhắc trước 7 ngày'],
    ['3wd@2027-11-01', 'nhắc trước 3 ngày làm việc'],
    ['esc.L2.R1', 'chuyển cấp 2, lần nhắc lại 1'],
    ['esc.L1.R0', 'chuyển cấp 1'],
    ['esc.L3.R10', 'chuyển cấp 3, lần nhắc lại 10'],
    ['esc.L1.R0@u-a', 'chuyển cấp 1'],
    ['esc.L1.R2.2027-11-03', 'chuyển cấp 1, lần nhắc lại 2'],
    ['7d@dmc.x@2027-11-15', 'nhắc trước 7 ngày'],
    ['now-20271108T0800', 'nhắc ngay (quản trị viên gửi)'],
    ['custom', 'custom'],
  ])('%s → %s', (step, want) => {
    expect(describeStep(step)).toBe(want);
  });
});

describe('renderEscalation: the completion link', () => {
  const link = (d: ClaimedDelivery) => `https://hanchot.test/l/${d.unitId}`;
  it('is offered to the overdue unit\'s own leader, not to the parent\'s leadership', () => {
    const own = renderEscalation({ recipientName: 'A', items: [delivery('x', content({ notify: 'unit_leader' }))], zone: ZONE, formatInstant, doneLink: link });
    expect(own.text).toContain('Khi đơn vị đã hoàn thành, xác nhận tại: https://hanchot.test/l/u-a');
    const parent = renderEscalation({ recipientName: 'A', items: [delivery('x', content({ notify: 'parent_leadership', level: 2 }))], zone: ZONE, formatInstant, doneLink: link });
    expect(parent.text).not.toContain('xác nhận tại');
  });
});
