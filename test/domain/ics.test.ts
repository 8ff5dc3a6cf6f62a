import fc from 'fast-check';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { buildIcs, escapeIcsText, foldLine, occurrenceUid, reminderIcs, unfoldIcs, utf8Octets } from '../../src/domain/ics.js';
import { buildReminderMessage } from '../../src/domain/reminder-message.js';
import { shippedConfig } from '../support/shipped-config.js';
import { THEMATIC_REPORT_ITEM } from '../support/digest-items.js';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
// fromMillis, not fromISO: luxon may fill fields from the clock, and unit tests forbid clock reads.
const STAMP = DateTime.fromMillis(Date.UTC(2027, 9, 22, 1, 0, 0));
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
});

describe('line folding (RFC 5545 §3.1)', () => {
  it('leaves a line of 75 octets alone and folds one of 76', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('counts octets, not characters: Vietnamese letters take 2 or 3', () => {
    const line = `SUMMARY:${'Hạn chót báo cáo chuyên đề '.repeat(5)}`;
    const physical = foldLine(line).split('\r\n');
    expect(physical.length).toBeGreaterThan(2);
    for (const p of physical) expect(octets(p)).toBeLessThanOrEqual(75);
    expect(unfoldIcs(foldLine(line))).toBe(line);
  });

  it('never splits a multi-octet character (a 3-octet "ạ" at the boundary moves to the next line)', () => {
    const line = `${'x'.repeat(74)}ạ`;
    expect(foldLine(line)).toBe(`${'x'.repeat(74)}\r\n ạ`);
  });

  it('never splits a surrogate pair (a 4-octet emoji at the boundary moves whole)', () => {
    expect(foldLine(`${'x'.repeat(72)}😀😀`)).toBe(`${'x'.repeat(71)}x\r\n 😀😀`);
    expect(foldLine(`${'x'.repeat(71)}😀😀`)).toBe(`${'x'.repeat(71)}😀\r\n 😀`);
  });

  it('property: every physical line is at most 75 octets, no character is split, and unfolding gives the line back', () => {
    // Long enough to fold several times: fast-check otherwise favours short strings that never fold.
    const text = fc.oneof(
      fc.string({ unit: 'binary', minLength: 30, maxLength: 400 }),
      fc.string({ unit: fc.constantFrom('a', ' ', 'ạ', 'Đ', 'ữ', '😀', '\t', 'é', ',', '\n'), minLength: 60, maxLength: 400 }),
    );
    fc.assert(
      fc.property(fc.constantFrom('SUMMARY:', 'DESCRIPTION:', 'X:'), text, (name, value) => {
        // Content lines never hold a raw line break: escaping turns them into "\n".
        const line = name + escapeIcsText(value);
        const folded = foldLine(line);
        const physical = folded.split('\r\n');
        for (const [i, p] of physical.entries()) {
          expect(octets(p)).toBeLessThanOrEqual(75);
          if (i > 0) expect(p.startsWith(' ')).toBe(true);
          // A split surrogate pair or character would show up as a lone surrogate at an edge.
          expect(p).not.toMatch(LONE_SURROGATE);
        }
        expect(unfoldIcs(folded)).toBe(line);
      }),
      { numRuns: 500 },
    );
  });

  it('utf8Octets agrees with Buffer for every kind of code point', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff), (cp) => {
        expect(Buffer.from(utf8Octets(cp))).toEqual(Buffer.from(String.fromCodePoint(cp), 'utf8'));
      }),
    );
  });
});

describe('TEXT escaping (RFC 5545 §3.3.11)', () => {
  it.each([
    ['comma', 'a, b', 'a\\, b'],
    ['semicolon', 'a; b', 'a\\; b'],
    ['backslash first, so its escapes are not doubled', 'C:\\dir;x', 'C:\\\\dir\\;x'],
    ['LF', 'dòng 1\ndòng 2', 'dòng 1\\ndòng 2'],
    ['CRLF and CR', 'a\r\nb\rc', 'a\\nb\\nc'],
    ['colon and quotes stay', 'Hạn: "Báo cáo"', 'Hạn: "Báo cáo"'],
    ['other control characters are dropped, tab kept', 'a\u0000b\u0007c\td\u007f', 'abc\td'],
    ['decomposed Vietnamese becomes NFC', 'Hạn'.normalize('NFD'), 'Hạn'],
  ])('%s', (_name, input, want) => {
    expect(escapeIcsText(input)).toBe(want);
  });

  it('property: escaped text holds no raw line break and no unescaped , or ;', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const e = escapeIcsText(s);
        expect(e).not.toMatch(/[\r\n]/);
        expect(e.replace(/\\[\\;,nN]/g, '')).not.toMatch(/[\\;,]/);
      }),
    );
  });
});

describe('calendar structure', () => {
  const ics = () =>
    buildIcs({
      dtstamp: STAMP,
      events: [
        { uid: 'a.2027@hanchot.test', date: '2027-11-01', summary: 'Hạn: Báo cáo, tổng hợp; gửi về', description: 'dòng 1\ndòng 2', url: 'https://hanchot.test/a?x=1,2', alarm: 'Ngày mai là hạn' },
        { uid: 'b.once@hanchot.test', date: '2027-12-31', summary: 'Hạn: B' },
      ],
    });

  it('is one VCALENDAR with METHOD:PUBLISH, PRODID and a VEVENT per item, CRLF throughout', () => {
    const text = ics();
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfoldIcs(text).split('\r\n').slice(0, -1);
    expect(lines.slice(0, 5)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Han Chot//Nhac han cong doan//VI', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH']);
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(2);
    expect(lines.filter((l) => l === 'END:VEVENT')).toHaveLength(2);
    expect(lines).toContain('DTSTAMP:20271022T010000Z');
    expect(lines).toContain('DTSTART;VALUE=DATE:20271101');
    expect(lines).toContain('DTEND;VALUE=DATE:20271102');
    expect(lines).toContain('DTSTART;VALUE=DATE:20271231');
    expect(lines).toContain('DTEND;VALUE=DATE:20280101');
    expect(lines).toContain('SUMMARY:Hạn: Báo cáo\\, tổng hợp\\; gửi về');
    expect(lines).toContain('DESCRIPTION:dòng 1\\ndòng 2');
    expect(lines).toContain('URL:https://hanchot.test/a?x=1,2');
    expect(lines).toContain('UID:a.2027@hanchot.test');
  });

  it('has a display alarm on the first event only', () => {
    const lines = unfoldIcs(ics()).split('\r\n');
    const start = lines.indexOf('BEGIN:VALARM');
    expect(lines.slice(start, start + 5)).toEqual(['BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT16H', 'DESCRIPTION:Ngày mai là hạn', 'END:VALARM']);
    expect(lines.filter((l) => l === 'BEGIN:VALARM')).toHaveLength(1);
  });

  it('every physical line of a real digest is at most 75 octets', () => {
    for (const line of ics().split('\r\n')) expect(octets(line)).toBeLessThanOrEqual(75);
  });
});

describe('reminderIcs: a digest as events', () => {
  const message = () =>
    buildReminderMessage({
      today: '2027-10-22',
      recipientName: 'Nguyễn Văn A',
      unitName: 'Công đoàn cơ sở Trường THCS Phước Minh',
      calendar,
      items: [
        {
          ...THEMATIC_REPORT_ITEM,
          actionUrl: 'https://hanchot.test/a/xyz',
        },
        {
          obligationId: 'dmc-94-kh-2021.transfer',
          occurrenceKey: 'event-2027-10-20',
          directiveNumber: '94/KH-LĐLĐ',
          title: 'Chuyển sinh hoạt đoàn viên',
          ruleWords: 'khi có phát sinh (trong 5 ngày làm việc)',
          nominalDue: '2027-10-27',
          effectiveDue: '2027-10-27',
          step: '3wd',
        },
      ],
    });

  it('puts each event on the effective due with a stable UID and Vietnamese text', () => {
    const lines = unfoldIcs(reminderIcs(message(), { dtstamp: STAMP, uidDomain: 'hanchot.test', fallbackUrl: 'https://hanchot.test/' })).split('\r\n');
    expect(lines).toContain('UID:dmc-159-2020.thematic-report.2027@hanchot.test');
    expect(lines).toContain('UID:dmc-94-kh-2021.transfer.event-2027-10-20@hanchot.test');
    expect(lines).toContain('DTSTART;VALUE=DATE:20271101');
    expect(lines).toContain('DTSTART;VALUE=DATE:20271027');
    expect(lines).toContain('SUMMARY:Hạn: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
    expect(lines).toContain('URL:https://hanchot.test/a/xyz');
    expect(lines).toContain('URL:https://hanchot.test/');
    const description = lines.find((l) => l.startsWith('DESCRIPTION:Văn bản 159/LĐLĐ'));
    expect(description).toBe(
      'DESCRIPTION:Văn bản 159/LĐLĐ: V/v thực hiện Kết luận số 19-KL/TU\\nMục 3\\nNhiệm vụ: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU\\nThời hạn: hằng năm\\, ngày 30/10\\nHạn: thứ Bảy\\, 30/10/2027 (trùng ngày nghỉ\\, hạn thực tế thứ Hai\\, 01/11/2027)\\nĐơn vị: Công đoàn cơ sở Trường THCS Phước Minh\\nhttps://hanchot.test/a/xyz',
    );
    expect(lines).toContain('DESCRIPTION:Ngày mai (thứ Hai\\, 01/11/2027) là hạn: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
  });

  it('is the same text for the same input (deterministic, no clock)', () => {
    const opts = { dtstamp: STAMP, uidDomain: 'hanchot.test' };
    expect(reminderIcs(message(), opts)).toBe(reminderIcs(message(), opts));
  });

  it('percent-encodes characters outside [A-Za-z0-9._-] in UIDs so distinct ids stay distinct', () => {
    expect(occurrenceUid('a b', 'Đ/1', 'x.test')).toBe('a%20b.%C4%90%2F1@x.test');
    expect(occurrenceUid('a_b', '1', 'x.test')).not.toBe(occurrenceUid('a b', '1', 'x.test'));
  });
});
