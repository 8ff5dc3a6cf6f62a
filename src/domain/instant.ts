import { DateTime, IANAZone } from 'luxon';
import { addDays, parts, type IsoDate } from './civil-date.js';
import { DomainError } from './errors.js';

/** A wall-clock time of day, "HH:MM" (24-hour). */
export type TimeOfDay = string & { readonly __brand?: 'TimeOfDay' };

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseTimeOfDay(text: string): TimeOfDay {
  if (!TIME.test(text)) throw new DomainError('invalid_time', `"${text}" không phải giờ dạng HH:MM (00:00–23:59)`, text);
  return text;
}

export function minutesOfDay(time: TimeOfDay): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

const zones = new Map<string, IANAZone>();
function zoneOf(name: string): IANAZone {
  let zone = zones.get(name);
  if (!zone) {
    zone = IANAZone.create(name);
    if (!zone.isValid) throw new DomainError('invalid_time', `Múi giờ "${name}" không hợp lệ`, name);
    zones.set(name, zone);
  }
  return zone;
}

/**
 * The instant at which the wall clock in `zoneName` shows `date` `time`. Built from epoch
 * millis and the zone's offset rather than `DateTime.fromObject`, which would read the clock.
 */
export function zonedInstant(date: IsoDate, time: TimeOfDay, zoneName: string): DateTime {
  const zone = zoneOf(zoneName);
  const p = parts(date);
  const minutes = minutesOfDay(time);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, Math.floor(minutes / 60), minutes % 60);
  // Two passes settle the offset around a DST change; Asia/Ho_Chi_Minh has none, other zones may.
  let offset = zone.offset(wallAsUtc);
  offset = zone.offset(wallAsUtc - offset * 60_000);
  return DateTime.fromMillis(wallAsUtc - offset * 60_000, { zone });
}

/** 24:00 local of `date`: the first instant at which a deadline "ngày `date`" is missed. */
export function endOfDay(date: IsoDate, zoneName: string): DateTime {
  return zonedInstant(addDays(date, 1), '00:00', zoneName);
}

/** ISO-8601 with the local offset and no milliseconds: "2027-10-29T08:00:00+07:00". */
export function formatInstant(instant: DateTime): string {
  return instant.toISO({ suppressMilliseconds: true }) ?? '';
}

/** The civil date an instant falls on in a zone. */
export function localDateOf(instant: DateTime, zoneName: string): IsoDate {
  const local = instant.setZone(zoneOf(zoneName));
  return `${String(local.year).padStart(4, '0')}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
}
