import type { DateTime } from 'luxon';
import { addDays, formatVnDateWithWeekday, type IsoDate } from './civil-date.js';
import type { ReminderMessage } from './reminder-message.js';

/**
 * iCalendar (RFC 5545) text for deadlines, attached to reminder emails so the due date
 * lands in the officer's own calendar. Pure: DTSTAMP is passed in.
 */

/** One all-day event. */
export interface IcsEvent {
  /** Globally unique and stable: the same occurrence keeps its UID, so a later mail updates the event instead of adding one. */
  readonly uid: string;
  readonly date: IsoDate;
  readonly summary: string;
  readonly description?: string;
  readonly url?: string;
  /** Text of a display alarm; no alarm when absent. */
  readonly alarm?: string;
}

export interface IcsCalendar {
  /** Stamp of this copy of the events, normally the instant the message is built. */
  readonly dtstamp: DateTime;
  readonly events: readonly IcsEvent[];
  readonly prodId?: string;
  /** Shown by some clients (X-WR-CALNAME) as the calendar's name on import. */
  readonly name?: string;
  /** A subscribed feed: how often clients should fetch it again (ISO duration, e.g. "PT6H"). */
  readonly refreshInterval?: string;
}

export const ICS_PRODID = '-//Han Chot//Nhac han cong doan//VI';
const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

/**
 * The alarm fires 16 hours before the start of the all-day event, that is at 08:00 the day
 * before the deadline (an all-day DTSTART starts at 00:00 local): a midnight -P1D alarm
 * would go off while nobody reads it.
 */
export const ALARM_TRIGGER = '-PT16H';

export function buildIcs(calendar: IcsCalendar): string {
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${calendar.prodId ?? ICS_PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
  ];
  if (calendar.name) lines.push(`X-WR-CALNAME:${escapeIcsText(calendar.name)}`);
  if (calendar.refreshInterval) {
    // RFC 7986 §5.7, and the older name Outlook and Google read.
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:${calendar.refreshInterval}`, `X-PUBLISHED-TTL:${calendar.refreshInterval}`);
  }
  const stamp = formatUtcStamp(calendar.dtstamp);
  for (const event of calendar.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeIcsText(event.uid)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;VALUE=DATE:${icsDate(event.date)}`,
      // DTEND is exclusive: the next day. Optional for a DATE start, but some clients want it.
      `DTEND;VALUE=DATE:${icsDate(addDays(event.date, 1))}`,
      `SUMMARY:${escapeIcsText(event.summary)}`,
    );
    if (event.description) lines.push(`DESCRIPTION:${escapeIcsText(event.description)}`);
    // URL is a URI value, not TEXT: backslash escapes would corrupt it.
    if (event.url) lines.push(`URL:${stripControls(event.url)}`);
    // Free: a deadline should not block the day in the officer's schedule.
    lines.push('TRANSP:TRANSPARENT');
    if (event.alarm) {
      lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `TRIGGER:${ALARM_TRIGGER}`, `DESCRIPTION:${escapeIcsText(event.alarm)}`, 'END:VALARM');
    }
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}

export interface ReminderIcsOptions {
  readonly dtstamp: DateTime;
  /** Right-hand side of every UID, a domain the service owns: "hanchot.ldld.example.vn". */
  readonly uidDomain: string;
  /** Link used for items without an action link. */
  readonly fallbackUrl?: string;
}

/** One VEVENT per item of the digest, on the effective due (the day the deadline really ends). */
export function reminderIcs(message: ReminderMessage, options: ReminderIcsOptions): string {
  return buildIcs({
    dtstamp: options.dtstamp,
    name: 'Hạn Chót',
    events: message.items.map((item) => {
      const url = item.actionUrl ?? options.fallbackUrl;
      const description = [
        `Văn bản ${item.directiveNumber}${item.directiveTitle ? `: ${item.directiveTitle}` : ''}`,
        ...(item.clause ? [`Mục ${item.clause}`] : []),
        `Nhiệm vụ: ${item.title}`,
        `Thời hạn: ${item.ruleWords}`,
        `Hạn: ${item.dueText}${item.rolledNote ? ` (${item.rolledNote})` : ''}`,
        `Đơn vị: ${message.unitName}`,
        ...(url ? [url] : []),
      ].join('\n');
      return {
        uid: occurrenceUid(item.obligationId, item.occurrenceKey, options.uidDomain),
        date: item.effectiveDue,
        summary: `Hạn: ${item.title}`,
        description,
        ...(url ? { url } : {}),
        alarm: `Ngày mai (${formatVnDateWithWeekday(item.effectiveDue)}) là hạn: ${item.title}`,
      };
    }),
  });
}

/**
 * "<obligation>.<occurrence>@<domain>". Catalogue ids are already `[a-z0-9._-]`; anything
 * else is percent-encoded so two different ids can never map to one UID.
 */
export function occurrenceUid(obligationId: string, occurrenceKey: string, domain: string): string {
  const safe = (s: string) =>
    s.replace(/[^A-Za-z0-9._-]/gu, (c) => utf8Octets(c.codePointAt(0)!).map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
  return `${safe(obligationId)}.${safe(occurrenceKey)}@${domain}`;
}

/** RFC 5545 §3.3.11 TEXT: backslash, semicolon and comma escaped, line breaks as "\n", other controls dropped. */
export function escapeIcsText(text: string): string {
  return stripControls(
    text
      .normalize('NFC')
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n'),
  );
}

/** TEXT may not hold control characters other than HTAB (§3.3.11 TSAFE-CHAR). */
function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000A-\u001F\u007F]/g, '');
}

/**
 * Folds one content line so that no physical line is longer than 75 octets of UTF-8
 * (RFC 5545 §3.1), counting the leading space of continuation lines, and never inside a
 * multi-octet character (the RFC says SHOULD NOT; clients mangle split characters).
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Octets(char.codePointAt(0)!).length;
    if (octets + size > MAX_LINE_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

/** Undoes folding (§3.1): a line break followed by one space or tab is removed. */
export function unfoldIcs(text: string): string {
  return text.replace(/\r\n[ \t]/g, '');
}

/**
 * The UTF-8 octets of one code point, computed rather than through Buffer/TextEncoder so the
 * domain stays plain TypeScript. A lone surrogate counts as U+FFFD (3 octets), as Node writes it.
 */
export function utf8Octets(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return [0xef, 0xbf, 0xbd];
  if (codePoint < 0x10000) return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  return [0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 0x3f), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
}

function icsDate(date: IsoDate): string {
  return date.replaceAll('-', '');
}

/** "20271022T010000Z": DTSTAMP must be UTC (§3.8.7.2). */
function formatUtcStamp(instant: DateTime): string {
  if (!instant.isValid) throw new RangeError('DTSTAMP must be a valid instant');
  return instant.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'");
}
