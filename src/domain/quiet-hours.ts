import type { DateTime } from 'luxon';
import { addDays } from './civil-date.js';
import type { WorkingCalendar } from './calendar/working-calendar.js';
import { localDateOf, minutesOfDay, parseTimeOfDay, zonedInstant, type TimeOfDay } from './instant.js';

/** When messages may go out: working days, between `start` and `end` local time (DESIGN §4). */
export interface QuietHours {
  readonly start: TimeOfDay;
  readonly end: TimeOfDay;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: parseTimeOfDay('07:00'), end: parseTimeOfDay('21:00') };

/**
 * Undefined when a message may go out at `now`; otherwise the next instant it may: the start
 * of the allowed hours today if it is a working day and still early, else of the next working day.
 */
export function nextSendingInstant(now: DateTime, calendar: WorkingCalendar, hours: QuietHours = DEFAULT_QUIET_HOURS): DateTime | undefined {
  const today = localDateOf(now, calendar.zone);
  const local = now.setZone(calendar.zone);
  const minute = local.hour * 60 + local.minute;
  const working = calendar.isWorkingDay(today);
  if (working && minute >= minutesOfDay(hours.start) && minute < minutesOfDay(hours.end)) return undefined;
  const day = working && minute < minutesOfDay(hours.start) ? today : calendar.onOrAfter(addDays(today, 1));
  return zonedInstant(day, hours.start, calendar.zone);
}
