import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { buildReminderMessage, shortTitle, type DigestItem } from '../../src/domain/reminder-message.js';
import { shippedConfig } from '../support/shipped-config.js';
import { THEMATIC_REPORT_ITEM } from '../support/digest-items.js';

let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
});

const thematic: DigestItem = { ...THEMATIC_REPORT_ITEM, directiveTitle: undefined };

const membership: DigestItem = {
  obligationId: 'dmc-159-2020.membership-analysis',
  occurrenceKey: 'once',
  directiveNumber: '159/LĐLĐ',
  title: 'Phân tích số lượng đoàn viên tham gia 01 và nhiều tổ chức',
  ruleWords: 'chậm nhất ngày 21/05/2020',
  nominalDue: '2020-05-21',
  effectiveDue: '2020-05-21',
  step: '0d',
};

const item = (over: Partial<DigestItem>): DigestItem => ({ ...thematic, ...over });

const build = (today: string, items: DigestItem[]) =>
  buildReminderMessage({ today, recipientName: 'Nguyễn Văn A', unitName: 'Công đoàn cơ sở Trường THCS Phước Minh', items, calendar });

describe('reminder message: subject and time left, table-driven', () => {
  it.each([
    {
      name: 'one item, 7 days before a Saturday due (an admin sending on the Saturday before)',
      today: '2027-10-23',
      items: [thematic],
      subject: '[Hạn Chót] Còn 7 ngày: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (hạn 30/10/2027)',
      timeLeft: ['còn 7 ngày (5 ngày làm việc)'],
    },
    {
      // The ladder moves the 7d step of a Saturday due back to Friday 22/10: the count says what is true that day.
      name: 'the 7d step as the ladder fires it (Friday 22/10): counts from today, not from the step name',
      today: '2027-10-22',
      items: [thematic],
      subject: '[Hạn Chót] Còn 8 ngày: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (hạn 30/10/2027)',
      timeLeft: ['còn 8 ngày (5 ngày làm việc)'],
    },
    {
      name: 'due today',
      today: '2020-05-21',
      items: [membership],
      subject: '[Hạn Chót] Hôm nay đến hạn: Phân tích số lượng đoàn viên tham gia 01 và nhiều tổ chức (hạn 21/05/2020)',
      timeLeft: ['hôm nay đến hạn'],
    },
    {
      name: 'one working day left',
      today: '2020-05-20',
      items: [membership],
      subject: '[Hạn Chót] Còn 1 ngày: Phân tích số lượng đoàn viên tham gia 01 và nhiều tổ chức (hạn 21/05/2020)',
      timeLeft: ['còn 1 ngày (1 ngày làm việc)'],
    },
    {
      name: 'several items: count, then the nearest one, whatever the input order',
      today: '2027-10-22',
      items: [
        thematic,
        item({ obligationId: 'x.later', title: 'Báo cáo 6 tháng cuối năm', nominalDue: '2027-12-15', effectiveDue: '2027-12-15', step: '30d' }),
        item({ obligationId: 'x.sooner', title: 'Tổng hợp danh sách đoàn viên', nominalDue: '2027-10-26', effectiveDue: '2027-10-26', step: '3wd' }),
      ],
      subject: '[Hạn Chót] 3 nhiệm vụ sắp đến hạn, gần nhất: Tổng hợp danh sách đoàn viên (hạn 26/10/2027)',
      timeLeft: ['còn 4 ngày (2 ngày làm việc)', 'còn 8 ngày (5 ngày làm việc)', 'còn 54 ngày (38 ngày làm việc)'],
    },
    {
      name: 'an overdue item (catch-up or --now after the due)',
      today: '2027-11-03',
      items: [thematic],
      subject: '[Hạn Chót] Quá hạn 2 ngày: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (hạn 30/10/2027)',
      timeLeft: ['đã quá hạn 2 ngày'],
    },
    {
      name: 'the written date has passed but the rolled due has not (a Sunday send)',
      today: '2027-10-31',
      items: [thematic],
      subject: '[Hạn Chót] Sắp đến hạn thực tế: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (hạn 30/10/2027)',
      timeLeft: ['còn 1 ngày đến hạn thực tế'],
    },
    {
      name: 'a Sunday due seen from the Saturday: no working day left before it',
      today: '2027-10-30',
      items: [item({ nominalDue: '2027-10-31', effectiveDue: '2027-11-01' })],
      subject: '[Hạn Chót] Còn 1 ngày: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (hạn 31/10/2027)',
      timeLeft: ['còn 1 ngày (không còn ngày làm việc nào)'],
    },
  ])('$name', ({ today, items, subject, timeLeft }) => {
    const message = build(today, items);
    expect(message.subject).toBe(subject);
    expect(message.items.map((i) => i.timeLeftText)).toEqual(timeLeft);
    expect(message.subject.normalize('NFC')).toBe(message.subject);
  });
});

describe('reminder message: item details', () => {
  it('writes the due date the Vietnamese way and notes the roll past a weekend', () => {
    const [view] = build('2027-10-23', [thematic]).items;
    expect(view).toMatchObject({
      dueText: 'thứ Bảy, 30/10/2027',
      dueShort: '30/10/2027',
      effectiveDueText: 'thứ Hai, 01/11/2027',
      rolledNote: 'trùng ngày nghỉ, hạn thực tế thứ Hai, 01/11/2027',
      daysLeft: 7,
      workingDaysLeft: 5,
      daysOverdue: 0,
      status: 'upcoming',
      directiveNumber: '159/LĐLĐ',
      ruleWords: 'hằng năm, ngày 30/10',
      clause: '3',
      step: '7d',
    });
  });

  it('rolls past 30/4–1/5/2025 and the decreed swap day with the shipped calendar, counting the Saturday làm bù as a working day', () => {
    // 2025: 30/4 (Wed) and 1/5 (Thu) are holidays, Friday 2/5 is swapped off, Saturday 26/4 is worked instead.
    const nominalDue = '2025-04-30';
    const effectiveDue = calendar.onOrAfter(nominalDue);
    expect(effectiveDue).toBe('2025-05-05');
    const message = build('2025-04-21', [
      item({ obligationId: 'td.report', occurrenceKey: '2025', title: 'Báo cáo sơ kết Tháng Công nhân', nominalDue, effectiveDue, step: '7d' }),
    ]);
    expect(message.subject).toBe('[Hạn Chót] Còn 9 ngày: Báo cáo sơ kết Tháng Công nhân (hạn 30/04/2025)');
    const [view] = message.items;
    expect(view?.dueText).toBe('thứ Tư, 30/04/2025');
    // Working days in (21/4, 30/4]: 22–25, Saturday 26 (làm bù), 28, 29; 30/4 is a holiday.
    expect(view?.timeLeftText).toBe('còn 9 ngày (7 ngày làm việc)');
    expect(view?.rolledNote).toBe('trùng ngày nghỉ, hạn thực tế thứ Hai, 05/05/2025');
  });

  it('has no roll note when the effective due is the nominal one', () => {
    const [view] = build('2020-05-14', [membership]).items;
    expect(view?.rolledNote).toBeUndefined();
    expect(view?.effectiveDueText).toBeUndefined();
    expect(view?.dueText).toBe('thứ Năm, 21/05/2020');
  });

  it('counts to the effective due when a previous_working_day roll moved it earlier (never promises more time than there is)', () => {
    const [view] = build('2027-10-25', [item({ effectiveDue: '2027-10-29' })]).items;
    expect(view?.countedDue).toBe('2027-10-29');
    expect(view?.timeLeftText).toBe('còn 4 ngày (4 ngày làm việc)');
    expect(view?.rolledNote).toBe('trùng ngày nghỉ, hạn thực tế thứ Sáu, 29/10/2027');
  });

  it('sorts items by due date, then by directive and title', () => {
    const message = build('2027-10-01', [
      item({ obligationId: 'b', title: 'Bê', nominalDue: '2027-10-20', effectiveDue: '2027-10-20' }),
      item({ obligationId: 'c', title: 'Cê', nominalDue: '2027-10-05', effectiveDue: '2027-10-05' }),
      item({ obligationId: 'a', title: 'A', nominalDue: '2027-10-20', effectiveDue: '2027-10-20' }),
    ]);
    expect(message.items.map((i) => i.obligationId)).toEqual(['c', 'a', 'b']);
  });

  it('normalises text to NFC (decomposed input from a spreadsheet paste)', () => {
    const decomposed = 'Báo cáo chuyên đề'.normalize('NFD');
    const message = build('2027-10-23', [item({ title: decomposed })]);
    expect(message.items[0]?.title).toBe('Báo cáo chuyên đề');
    expect(message.subject).toContain('Báo cáo chuyên đề (hạn');
  });

  it('refuses an empty digest', () => {
    expect(() => build('2027-10-23', [])).toThrow(/at least one item/);
  });

  it('carries the recipient, unit, today and links through', () => {
    const message = buildReminderMessage({
      today: '2027-10-22',
      recipientName: ' Trần Thị Bích ',
      unitName: 'LĐLĐ huyện Dương Minh Châu',
      items: [thematic],
      calendar,
      links: { overviewUrl: 'https://hanchot.example.vn/don-vi/dmc' },
    });
    expect(message).toMatchObject({
      recipientName: 'Trần Thị Bích',
      unitName: 'LĐLĐ huyện Dương Minh Châu',
      todayText: 'thứ Sáu, 22/10/2027',
      links: { overviewUrl: 'https://hanchot.example.vn/don-vi/dmc' },
    });
  });
});

describe('subject length', () => {
  const long =
    'Tổ chức hội nghị sơ kết 05 năm thực hiện Nghị quyết số 07/NQ-TLĐ về đẩy mạnh phong trào thi đua yêu nước trong công nhân viên chức lao động';

  it('cuts a long title at a word boundary with an ellipsis and keeps the due date', () => {
    const subject = build('2027-10-23', [item({ title: long })]).subject;
    expect(subject).toBe('[Hạn Chót] Còn 7 ngày: Tổ chức hội nghị sơ kết 05 năm thực hiện Nghị quyết số 07/NQ-TLĐ về… (hạn 30/10/2027)');
    expect(Array.from(subject).length).toBeLessThanOrEqual(120);
  });

  it.each([
    ['short stays', 'Báo cáo', 10, 'Báo cáo'],
    ['exact length stays', 'abcdefghij', 10, 'abcdefghij'],
    ['no space: hard cut', 'abcdefghijkl', 10, 'abcdefghi…'],
    ['never splits a character outside the BMP', '😀😀😀😀😀😀😀😀😀😀😀😀', 5, '😀😀😀😀…'],
    ['drops punctuation before the ellipsis', 'Báo cáo, tổng hợp, gửi về', 10, 'Báo cáo…'],
  ])('%s', (_name, title, max, want) => {
    expect(shortTitle(title, max)).toBe(want);
  });
});
