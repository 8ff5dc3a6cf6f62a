import { compareDates, daysBetween, formatVnDate, formatVnDateWithWeekday, minDate, type IsoDate } from './civil-date.js';
import type { WorkingCalendar } from './calendar/working-calendar.js';

/**
 * What one reminder digest says to one contact, before any template: the subject line and,
 * per item, the due date written the Vietnamese way and the time left. Pure: "today" is
 * passed in, and the calendar carries all holiday data.
 */

/** One obligation occurrence that a contact's unit still owes, as the fan-out hands it over. */
export interface DigestItem {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  /** As printed after "Số:": "159/LĐLĐ". */
  readonly directiveNumber: string;
  /** Trích yếu of the directive, when known. */
  readonly directiveTitle?: string;
  /** One line, starting with the action: "Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU". */
  readonly title: string;
  /** Clause as printed: "2", "II.3". */
  readonly clause?: string;
  /** The due rule in words (describeRule): "hằng năm, ngày 30/10". */
  readonly ruleWords: string;
  readonly nominalDue: IsoDate;
  readonly effectiveDue: IsoDate;
  /** Ladder step id this reminder speaks for: "30d", "7d", "3wd", "0d". */
  readonly step: string;
  /** Signed link to act on this item (mark done, ask for an extension). */
  readonly actionUrl?: string;
  /** Signed link to say "Đã nhận" (received) for this step. */
  readonly ackUrl?: string;
}

export interface ReminderMessageLinks {
  /** Where the unit's whole list can be seen (web console). */
  readonly overviewUrl?: string;
}

export interface ReminderMessageInput {
  /** The local civil date on which the message goes out. */
  readonly today: IsoDate;
  readonly recipientName: string;
  readonly unitName: string;
  readonly items: readonly DigestItem[];
  readonly calendar: WorkingCalendar;
  readonly links?: ReminderMessageLinks;
}

export interface ReminderItemView {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly directiveNumber: string;
  readonly directiveTitle?: string;
  readonly title: string;
  readonly clause?: string;
  readonly ruleWords: string;
  readonly step: string;
  readonly actionUrl?: string;
  readonly ackUrl?: string;
  readonly nominalDue: IsoDate;
  readonly effectiveDue: IsoDate;
  /**
   * The date the counts below run to: the nominal due, or the effective due when a
   * `previous_working_day` roll moved it earlier (an officer is never told there is more time than there is).
   */
  readonly countedDue: IsoDate;
  /** Calendar days from today to `countedDue`; negative once it has passed. */
  readonly daysLeft: number;
  /** Working days in (today, countedDue] (WorkingCalendar.workingDaysBetween); negative once passed. */
  readonly workingDaysLeft: number;
  /** Calendar days past the effective due (overdue counts from the effective due, DESIGN §3); 0 if not overdue. */
  readonly daysOverdue: number;
  readonly status: 'upcoming' | 'due_today' | 'overdue';
  /** "thứ Bảy, 30/10/2027" (the nominal due, as the directive wrote it). */
  readonly dueText: string;
  /** "30/10/2027". */
  readonly dueShort: string;
  /** "thứ Hai, 01/11/2027" when the effective due differs from the nominal one. */
  readonly effectiveDueText?: string;
  /** "trùng ngày nghỉ, hạn thực tế thứ Hai, 01/11/2027" when the effective due differs. */
  readonly rolledNote?: string;
  /** "còn 7 ngày (5 ngày làm việc)", "hôm nay đến hạn", "đã quá hạn 2 ngày". */
  readonly timeLeftText: string;
}

export interface ReminderMessage {
  readonly today: IsoDate;
  /** "thứ Sáu, 22/10/2027". */
  readonly todayText: string;
  readonly recipientName: string;
  readonly unitName: string;
  readonly subject: string;
  /** Sorted by due date (nearest first). */
  readonly items: readonly ReminderItemView[];
  readonly links: ReminderMessageLinks;
}

/** Subjects longer than this are cut inside the title: mail clients show about 60–80 characters. */
export const SUBJECT_TITLE_MAX_CHARS = 70;
const SUBJECT_PREFIX = '[Hạn Chót]';

const nfc = (s: string): string => s.normalize('NFC');
const nfcOpt = (s: string | undefined): string | undefined => (s === undefined || s.trim() === '' ? undefined : nfc(s.trim()));

export function buildReminderMessage(input: ReminderMessageInput): ReminderMessage {
  if (input.items.length === 0) throw new RangeError('a reminder message needs at least one item');
  const items = input.items
    .map((item) => itemView(item, input.today, input.calendar))
    .sort(
      (a, b) =>
        compareDates(a.countedDue, b.countedDue) ||
        compareDates(a.effectiveDue, b.effectiveDue) ||
        a.directiveNumber.localeCompare(b.directiveNumber, 'vi') ||
        a.title.localeCompare(b.title, 'vi') ||
        a.obligationId.localeCompare(b.obligationId) ||
        a.occurrenceKey.localeCompare(b.occurrenceKey),
    );
  return {
    today: input.today,
    todayText: formatVnDateWithWeekday(input.today),
    recipientName: nfc(input.recipientName.trim()),
    unitName: nfc(input.unitName.trim()),
    subject: subjectFor(items),
    items,
    links: { ...(input.links?.overviewUrl ? { overviewUrl: input.links.overviewUrl } : {}) },
  };
}

function itemView(item: DigestItem, today: IsoDate, calendar: WorkingCalendar): ReminderItemView {
  const countedDue = minDate(item.nominalDue, item.effectiveDue);
  const daysLeft = daysBetween(today, countedDue);
  const workingDaysLeft = calendar.workingDaysBetween(today, countedDue);
  const daysOverdue = Math.max(0, daysBetween(item.effectiveDue, today));
  const status = daysLeft > 0 ? 'upcoming' : daysLeft === 0 ? 'due_today' : daysOverdue > 0 ? 'overdue' : 'upcoming';
  const rolled = item.effectiveDue !== item.nominalDue;
  const effectiveDueText = rolled ? formatVnDateWithWeekday(item.effectiveDue) : undefined;
  return {
    obligationId: item.obligationId,
    occurrenceKey: item.occurrenceKey,
    directiveNumber: nfc(item.directiveNumber.trim()),
    ...optional('directiveTitle', nfcOpt(item.directiveTitle)),
    title: nfc(item.title.trim()),
    ...optional('clause', nfcOpt(item.clause)),
    ruleWords: nfc(item.ruleWords.trim()),
    step: item.step,
    ...optional('actionUrl', item.actionUrl),
    ...optional('ackUrl', item.ackUrl),
    nominalDue: item.nominalDue,
    effectiveDue: item.effectiveDue,
    countedDue,
    daysLeft,
    workingDaysLeft,
    daysOverdue,
    status,
    dueText: formatVnDateWithWeekday(item.nominalDue),
    dueShort: formatVnDate(item.nominalDue),
    ...optional('effectiveDueText', effectiveDueText),
    ...optional('rolledNote', effectiveDueText && `trùng ngày nghỉ, hạn thực tế ${effectiveDueText}`),
    timeLeftText: timeLeftText(today, item.effectiveDue, daysLeft, workingDaysLeft, daysOverdue),
  };
}

function timeLeftText(today: IsoDate, effectiveDue: IsoDate, daysLeft: number, workingDaysLeft: number, daysOverdue: number): string {
  if (daysLeft > 0) {
    const working = workingDaysLeft > 0 ? `${workingDaysLeft} ngày làm việc` : 'không còn ngày làm việc nào';
    return `còn ${daysLeft} ngày (${working})`;
  }
  if (daysLeft === 0) return 'hôm nay đến hạn';
  // The date as written has passed but a roll past a holiday still leaves time (a `--now` send on a weekend).
  if (daysOverdue === 0) {
    const left = daysBetween(today, effectiveDue);
    return left === 0 ? 'hôm nay là hạn thực tế' : `còn ${left} ngày đến hạn thực tế`;
  }
  return `đã quá hạn ${daysOverdue} ngày`;
}

function subjectFor(items: readonly ReminderItemView[]): string {
  const first = items[0]!;
  const tail = `${shortTitle(first.title)} (hạn ${formatVnDate(first.countedDue)})`;
  if (items.length === 1) {
    const lead =
      first.status === 'overdue'
        ? `Quá hạn ${first.daysOverdue} ngày`
        : first.daysLeft > 0
          ? `Còn ${first.daysLeft} ngày`
          : first.daysLeft === 0
            ? 'Hôm nay đến hạn'
            : 'Sắp đến hạn thực tế';
    return `${SUBJECT_PREFIX} ${lead}: ${tail}`;
  }
  const overdue = items.filter((i) => i.status === 'overdue').length;
  const lead = overdue > 0 ? `${items.length} nhiệm vụ cần hoàn thành (${overdue} đã quá hạn)` : `${items.length} nhiệm vụ sắp đến hạn`;
  return `${SUBJECT_PREFIX} ${lead}, gần nhất: ${tail}`;
}

/**
 * Cuts a title to SUBJECT_TITLE_MAX_CHARS code points, at a word boundary when one is
 * near, and marks the cut with "…". Counts code points, not UTF-16 units, so a character
 * outside the BMP is never split.
 */
export function shortTitle(title: string, max = SUBJECT_TITLE_MAX_CHARS): string {
  const chars = Array.from(title);
  if (chars.length <= max) return title;
  let cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space >= cut.length - 20 && space > 0) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:.–-]+$/u, '')}…`;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
