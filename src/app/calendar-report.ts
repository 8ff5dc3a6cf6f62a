import type { IsoDate } from '../domain/civil-date.js';
import type { CalendarEntryKind } from '../domain/calendar/types.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';

export interface CalendarDay {
  readonly date: IsoDate;
  readonly name: string;
  readonly kind: CalendarEntryKind;
  readonly source: string;
}

export interface CalendarYearReport {
  readonly year: number;
  readonly decreed: boolean;
  readonly sources: readonly string[];
  readonly days: readonly CalendarDay[];
}

/** Every non-working day of `year` that is not a plain weekend, and every make-up working day. */
export function calendarYear(calendar: WorkingCalendar, year: number): CalendarYearReport {
  const y = calendar.year(year);
  return { year, decreed: y.decreed, sources: calendar.decreeOf(year)?.sources ?? [], days: y.entries };
}

/**
 * Years around `today` that have no decreed data, so their Tết days, the day joining 2/9 and
 * swaps are the statutory defaults: an admin should add config/calendar/years/<YYYY>.yaml.
 */
export function yearsWithoutDecree(calendar: WorkingCalendar, today: IsoDate): number[] {
  const year = Number(today.slice(0, 4));
  return [year, year + 1].filter((y) => !calendar.hasDecree(y));
}

export function missingDecreeWarning(years: readonly number[]): string | undefined {
  if (years.length === 0) return undefined;
  return `Chưa có dữ liệu nghỉ lễ đã ban hành cho năm ${years.join(', ')}: đang dùng mặc định theo Bộ luật Lao động (Tết = ngày cuối năm âm lịch và mùng 1–4; ngày liền kề 2/9 tự chọn). Thêm config/calendar/years/<năm>.yaml khi có quyết định.`;
}
