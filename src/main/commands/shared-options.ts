import { isIsoDate, type IsoDate } from '../../domain/civil-date.js';
import { localDateOf } from '../../domain/instant.js';
import { yearsWithoutDecree, missingDecreeWarning } from '../../app/calendar-report.js';
import { systemClock } from '../../adapters/clock/system-clock.js';
import type { WorkingCalendar } from '../../domain/calendar/working-calendar.js';
import { UsageError, type Io } from '../cli-kit.js';

export const configOption = { config: { type: 'string' as const } };
export const CONFIG_HELP = '  --config DIR    thư mục cấu hình (mặc định: config/ của gói)';

export function dateOption(name: string, value: string | boolean | undefined): IsoDate {
  if (typeof value !== 'string') throw new UsageError(`thiếu --${name} YYYY-MM-DD (missing --${name})`);
  if (!isIsoDate(value)) throw new UsageError(`--${name} "${value}" không phải ngày có thật dạng YYYY-MM-DD (not a real date)`);
  return value;
}

/** Warns on stderr when this year or next has no decreed holiday data (the defaults are in use). */
export function warnMissingDecrees(calendar: WorkingCalendar, io: Io): void {
  const today = localDateOf(systemClock.now(), calendar.zone);
  const warning = missingDecreeWarning(yearsWithoutDecree(calendar, today));
  if (warning) io.err(`Cảnh báo: ${warning}`);
}
