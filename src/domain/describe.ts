import { formatVnDate, parts, type IsoDate } from './civil-date.js';
import { DEFAULT_EVENT_WORKING_DAYS, DEFAULT_SEMIANNUAL, romanQuarter, type DueRule, type MonthDay, type PeriodWindow } from './due-rule.js';
import type { LadderStep } from './ladder.js';

const dayMonth = (md: MonthDay) => `${String(md.day).padStart(2, '0')}/${String(md.month).padStart(2, '0')}`;

const CADENCE_WORDS = {
  monthly: 'hằng tháng',
  quarterly: 'hằng quý',
  semiannual: '6 tháng một lần',
  yearly: 'hằng năm',
} as const;

export function describePeriod(window: PeriodWindow): string {
  switch (window.unit) {
    case 'quarter':
      return `trong Quý ${romanQuarter(window.quarter)}/${window.year}`;
    case 'month':
      return `trong tháng ${window.month}/${window.year}`;
    case 'half':
      return window.half === 1 ? `6 tháng đầu năm ${window.year}` : `6 tháng cuối năm ${window.year}`;
    case 'year':
      return `trong năm ${window.year}`;
    case 'range':
      return `từ ngày ${formatVnDate(window.start)} đến ngày ${formatVnDate(window.end)}`;
  }
}

/**
 * The rule in the words a Vietnamese office would use: "hằng năm, ngày 30/10",
 * "trước ngày 31/05/2023", "trong Quý II/2021", "chậm nhất ngày 31/10/2021 hoặc khi có phát sinh".
 */
export function describeRule(rule: DueRule, anchorName: (id: string) => string = (id) => id): string {
  const base = describeBase(rule, anchorName);
  if (!rule.orOnEvent || rule.kind === 'on_event') return base;
  return `${base} hoặc khi có phát sinh (trong ${rule.orOnEvent.workingDays} ngày làm việc)`;
}

function describeBase(rule: DueRule, anchorName: (id: string) => string): string {
  switch (rule.kind) {
    case 'once':
      return rule.bound === 'before' ? `trước ngày ${formatVnDate(rule.date)}` : `chậm nhất ngày ${formatVnDate(rule.date)}`;
    case 'yearly':
      return rule.month !== undefined && rule.day !== undefined
        ? `hằng năm, ngày ${dayMonth({ month: rule.month, day: rule.day })}`
        : 'hằng năm (mặc định ngày 31/12)';
    case 'semiannual': {
      const [h1, h2] = rule.dates ?? DEFAULT_SEMIANNUAL;
      return `định kỳ 6 tháng, ngày ${dayMonth(h1)} và ${dayMonth(h2)}${rule.dates ? '' : ' (mặc định)'}`;
    }
    case 'quarterly': {
      const day = rule.day ?? 'last';
      const m = rule.monthOfQuarter ?? 3;
      if (day === 'last' && m === 3) return 'hằng quý, ngày cuối quý';
      const monthWords = ['', 'tháng đầu', 'tháng giữa', 'tháng cuối'][m];
      return day === 'last' ? `hằng quý, ngày cuối ${monthWords} quý` : `hằng quý, ngày ${day} ${monthWords} quý`;
    }
    case 'monthly':
      return rule.day === 'last' ? 'hằng tháng, ngày cuối tháng' : `hằng tháng, ngày ${rule.day}`;
    case 'period':
      return describePeriod(rule.window);
    case 'continuous':
      return rule.checkIn ? `thường xuyên (báo cáo ${CADENCE_WORDS[rule.checkIn]})` : 'thường xuyên';
    case 'on_event':
      return `khi có phát sinh, trong ${rule.workingDays ?? DEFAULT_EVENT_WORKING_DAYS} ngày làm việc`;
    case 'relative': {
      const name = anchorName(rule.anchor);
      const n = Math.abs(rule.offsetDays);
      const when = rule.offsetDays === 0 ? `đúng ${name}` : rule.offsetDays < 0 ? `${n} ngày trước ${name}` : `${n} ngày sau ${name}`;
      return rule.year !== undefined ? `${when} năm ${rule.year}` : `${when}, hằng năm`;
    }
    case 'rrule':
      return `theo lịch lặp ${rule.rrule} từ ngày ${formatVnDate(rule.start)}`;
  }
}

/** "trước 30 ngày", "trước 3 ngày làm việc", "ngày đến hạn". */
export function describeStep(step: Pick<LadderStep, 'offset' | 'unit'>): string {
  if (step.offset === 0) return 'ngày đến hạn';
  return step.unit === 'days' ? `trước ${step.offset} ngày` : `trước ${step.offset} ngày làm việc`;
}

/** Parses a step id ("30d", "3wd") back into its parts for wording. */
export function describeStepId(id: string): string {
  const m = /^(\d+)(d|wd)$/.exec(id);
  if (!m) return id;
  return describeStep({ offset: Number(m[1]), unit: m[2] === 'wd' ? 'working_days' : 'days' });
}

export function shortDate(date: IsoDate): string {
  const p = parts(date);
  return `${String(p.day).padStart(2, '0')}/${String(p.month).padStart(2, '0')}`;
}
