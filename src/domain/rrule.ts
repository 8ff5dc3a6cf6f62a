import rrulePackage from 'rrule';
import { parts, ymd, type IsoDate } from './civil-date.js';
import { DomainError } from './errors.js';

// rrule ships CommonJS without named ESM exports.
const { rrulestr } = rrulePackage;

/** Dates an RFC 5545 rule yields in [from, to]; the rule is read in floating (zone-less) days. */
export function rruleDates(text: string, start: IsoDate, from: IsoDate, to: IsoDate): IsoDate[] {
  const utc = (d: IsoDate) => {
    const p = parts(d);
    return new Date(Date.UTC(p.year, p.month - 1, p.day));
  };
  let rule;
  try {
    rule = rrulestr(text.replace(/^RRULE:/i, ''), { dtstart: utc(start) });
  } catch (e) {
    throw new DomainError('invalid_rule', `RRULE không đọc được: "${text}" (${(e as Error).message})`, text);
  }
  return rule.between(utc(from), utc(to), true).map((d: Date) => ymd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()));
}
