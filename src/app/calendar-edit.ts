import type { DateTime } from 'luxon';
import { z } from 'zod';
import { formatVnDateWithWeekday, isIsoDate, yearOf, type IsoDate } from '../domain/civil-date.js';
import type { CalendarEntry, CalendarRules, LunarToSolar, YearDecree } from '../domain/calendar/types.js';
import { WorkingCalendar, type YearCalendar } from '../domain/calendar/working-calendar.js';
import type { Principal } from '../domain/access.js';
import { AccessError, type AccessStore } from './access.js';
import { CatalogueEditError } from './catalogue-edit.js';
import type { JobQueue } from './job-queue.js';
import type { Clock } from './ports.js';

/**
 * Calendar edits from the console and the API, layered over config/calendar. The government
 * announces each year's swaps (nghỉ bù / làm bù, hoán đổi ngày làm việc) and now and then an
 * extra day off; office staff enter them here instead of editing YAML. An edit is one day:
 * 'add' puts a day into the year (a swap adds two, naming each other), 'remove' takes out the
 * day a config/ decree lists on that date. The statutory holidays (Labour Code 2019 art. 112)
 * are not edited here. Only an admin of the root unit edits: one calendar serves every unit.
 */
export type EditableKind = 'holiday' | 'swap_off' | 'swap_work';

export interface CalendarOverride {
  readonly date: IsoDate;
  readonly action: 'add' | 'remove';
  /** For 'add': what the day becomes. */
  readonly kind: EditableKind | null;
  readonly name: string | null;
  /** The other day of a swap. */
  readonly pairDate: IsoDate | null;
  readonly createdBy: string;
  readonly createdAt: DateTime;
}

export interface CalendarOverrideStore {
  /** Every stored edit (all years), by date. */
  calendarOverrides(): Promise<CalendarOverride[]>;
  /**
   * In one transaction: deletes the edits on `remove` dates, inserts `add` (a date already edited
   * makes it return false and write nothing), and writes one audit row.
   */
  saveCalendarOverrides(
    change: { readonly insert: readonly Omit<CalendarOverride, 'createdAt'>[]; readonly deleteDates: readonly IsoDate[] },
    audit: { readonly actor: string; readonly year: number; readonly action: string; readonly detail: unknown },
    now: DateTime,
  ): Promise<boolean>;
}

const SOURCE = 'sửa trên trang quản trị';

/**
 * The working calendar of config/ with the stored edits on top. It is the WorkingCalendar every
 * use case already holds: `apply` swaps the edits in place, so the planner, the preview and the
 * feeds see a change from their next call on.
 */
export class LayeredCalendar extends WorkingCalendar {
  private edits: readonly CalendarOverride[] = [];
  private readonly layered = new Map<number, { cal: YearCalendar; byDate: Map<IsoDate, CalendarEntry[]> }>();

  constructor(rules: CalendarRules, decrees: readonly YearDecree[], lunarToSolar: LunarToSolar) {
    super(rules, decrees, lunarToSolar);
  }

  /** Replaces the edits (all of them, as the store returns them). */
  apply(edits: readonly CalendarOverride[]): void {
    this.edits = edits;
    this.layered.clear();
  }

  overrides(year?: number): readonly CalendarOverride[] {
    return year === undefined ? this.edits : this.edits.filter((o) => yearOf(o.date) === year);
  }

  /** The year as config/ alone has it. */
  configYear(year: number): YearCalendar {
    return super.year(year);
  }

  override entriesOn(date: IsoDate): readonly CalendarEntry[] {
    return this.layer(yearOf(date)).byDate.get(date) ?? [];
  }

  override year(year: number): YearCalendar {
    return this.layer(year).cal;
  }

  private layer(year: number) {
    let data = this.layered.get(year);
    if (!data) {
      const base = super.year(year);
      const edits = this.overrides(year);
      const removed = new Set(edits.filter((o) => o.action === 'remove').map((o) => o.date));
      const decreed = new Set((this.decreeOf(year)?.days ?? []).map((d) => `${d.date}|${d.kind}|${d.name}`));
      const entries = base.entries.filter((e) => !(removed.has(e.date) && decreed.has(`${e.date}|${e.kind}|${e.name}`)));
      for (const o of edits) if (o.action === 'add') entries.push({ date: o.date, kind: o.kind!, name: o.name!, source: `${SOURCE} (${o.createdBy})` });
      entries.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.kind.localeCompare(b.kind)));
      const byDate = new Map<IsoDate, CalendarEntry[]>();
      for (const e of entries) byDate.set(e.date, [...(byDate.get(e.date) ?? []), e]);
      data = { cal: { ...base, entries }, byDate };
      this.layered.set(year, data);
    }
    return data;
  }
}

// ── requests ────────────────────────────────────────────────────────────────

const date = z.string().refine(isIsoDate, 'cần ngày có thật dạng YYYY-MM-DD');
const name = z.string().trim().min(1, 'không được để trống').max(200);
/** An extra day off (ngày nghỉ thêm) decided for the year. */
export const calendarDayBody = z.strictObject({ date, name });
/** A swap: a working day off (hoán đổi) made up on a weekly rest day (làm bù). */
export const calendarSwapBody = z.strictObject({ off: date, work: date, name: name.optional() });
export const calendarDateParams = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100), date });

export interface CalendarEditDeps {
  readonly store: CalendarOverrideStore;
  readonly access: Pick<AccessStore, 'unitAncestors'>;
  readonly queue: Pick<JobQueue, 'requestPlan'>;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
}

/** One calendar serves every unit: only an admin of the root unit (or above every unit) edits it. */
export async function authorizeCalendarEdit(deps: Pick<CalendarEditDeps, 'access'>, principal: Principal): Promise<void> {
  const root = principal.role === 'admin' && (principal.unitId === null || (await deps.access.unitAncestors(principal.unitId))?.length === 0);
  if (!root) throw new AccessError(403, 'chỉ quản trị viên của đơn vị cấp cao nhất được sửa lịch nghỉ (lịch dùng chung cho mọi đơn vị)');
}

function layered(deps: CalendarEditDeps): LayeredCalendar {
  if (!(deps.calendar instanceof LayeredCalendar)) throw new CatalogueEditError(409, 'lịch nghỉ ở đây chỉ đọc: hãy sửa config/calendar');
  return deps.calendar;
}

type Issue = { path: string; message: string };
const inYear = (year: number, path: string, d: IsoDate, issues: Issue[]) => {
  if (yearOf(d) !== year) issues.push({ path, message: `phải thuộc năm ${year}` });
};

async function save(deps: CalendarEditDeps, cal: LayeredCalendar, principal: Principal, year: number, change: Parameters<CalendarOverrideStore['saveCalendarOverrides']>[0], action: string, detail: unknown) {
  const ok = await deps.store.saveCalendarOverrides(change, { actor: principal.actor, year, action, detail }, deps.clock.now());
  if (!ok) throw new CatalogueEditError(409, 'ngày này vừa được sửa (bởi người khác): hãy tải lại lịch và thử lại');
  cal.apply(await deps.store.calendarOverrides());
  // Every due that rolls, every working-day step and every escalation may move: plan everything again.
  await deps.queue.requestPlan({ obligationIds: [] });
}

const edited = (cal: LayeredCalendar, d: IsoDate) => cal.overrides(yearOf(d)).find((o) => o.date === d);

/** Adds an extra day off: it must be a working day now and not edited yet. */
export async function addCalendarDay(deps: CalendarEditDeps, year: number, body: z.infer<typeof calendarDayBody>, principal: Principal): Promise<CalendarOverride> {
  await authorizeCalendarEdit(deps, principal);
  const cal = layered(deps);
  const issues: Issue[] = [];
  inYear(year, 'date', body.date, issues);
  if (issues.length === 0 && !cal.isWorkingDay(body.date)) issues.push({ path: 'date', message: `${formatVnDateWithWeekday(body.date)} đã là ngày nghỉ` });
  if (issues.length > 0) throw new CatalogueEditError(400, 'ngày nghỉ thêm không hợp lệ', issues);
  if (edited(cal, body.date)) throw new CatalogueEditError(409, `ngày ${body.date} đã được sửa trên trang quản trị: hãy bỏ sửa đổi đó trước`);
  const row = { date: body.date, action: 'add' as const, kind: 'holiday' as const, name: body.name, pairDate: null, createdBy: principal.actor };
  await save(deps, cal, principal, year, { insert: [row], deleteDates: [] }, 'add_day_off', { date: body.date, name: body.name });
  return { ...row, createdAt: deps.clock.now() };
}

/** Adds a swap: `off` is a working day now, `work` a weekly rest day that is no holiday; neither edited yet. */
export async function addCalendarSwap(deps: CalendarEditDeps, year: number, body: z.infer<typeof calendarSwapBody>, principal: Principal): Promise<CalendarOverride[]> {
  await authorizeCalendarEdit(deps, principal);
  const cal = layered(deps);
  const issues: Issue[] = [];
  inYear(year, 'off', body.off, issues);
  inYear(year, 'work', body.work, issues);
  if (body.off === body.work) issues.push({ path: 'work', message: 'ngày làm bù phải khác ngày nghỉ' });
  if (issues.length === 0) {
    if (!cal.isWorkingDay(body.off)) issues.push({ path: 'off', message: `${formatVnDateWithWeekday(body.off)} đã là ngày nghỉ: chọn một ngày làm việc` });
    if (cal.isWorkingDay(body.work) || cal.entriesOn(body.work).length > 0) issues.push({ path: 'work', message: `${formatVnDateWithWeekday(body.work)} không phải ngày nghỉ hằng tuần: chọn một thứ Bảy hoặc Chủ nhật không trùng ngày lễ` });
  }
  if (issues.length > 0) throw new CatalogueEditError(400, 'hoán đổi ngày làm việc không hợp lệ', issues);
  for (const d of [body.off, body.work]) if (edited(cal, d)) throw new CatalogueEditError(409, `ngày ${d} đã được sửa trên trang quản trị: hãy bỏ sửa đổi đó trước`);
  const short = (d: IsoDate) => formatVnDateWithWeekday(d);
  const rows = [
    { date: body.off, action: 'add' as const, kind: 'swap_off' as const, name: body.name ?? `Nghỉ hoán đổi, làm bù ${short(body.work)}`, pairDate: body.work, createdBy: principal.actor },
    { date: body.work, action: 'add' as const, kind: 'swap_work' as const, name: body.name ?? `Làm bù cho ${short(body.off)}`, pairDate: body.off, createdBy: principal.actor },
  ];
  await save(deps, cal, principal, year, { insert: rows, deleteDates: [] }, 'add_swap', { off: body.off, work: body.work, name: body.name ?? null });
  return rows.map((r) => ({ ...r, createdAt: deps.clock.now() }));
}

/**
 * Removes the day on `date`: an edit made here is undone (both days of a swap; a removed config/
 * day comes back); else a day a config/ decree lists (a swap day, an extra day off) is taken out.
 * A statutory holiday, or a date with nothing to remove, is 404.
 */
export async function removeCalendarDay(deps: CalendarEditDeps, year: number, d: IsoDate, principal: Principal): Promise<{ undone: IsoDate[]; removed: IsoDate[] }> {
  await authorizeCalendarEdit(deps, principal);
  const cal = layered(deps);
  if (yearOf(d) !== year) throw new CatalogueEditError(400, 'ngày không thuộc năm trong đường dẫn', [{ path: 'date', message: `phải thuộc năm ${year}` }]);
  const own = edited(cal, d);
  if (own) {
    const dates = [d, ...(own.pairDate ? [own.pairDate] : [])];
    await save(deps, cal, principal, year, { insert: [], deleteDates: dates }, own.action === 'add' ? 'undo_add' : 'restore_day', { dates });
    return { undone: dates, removed: [] };
  }
  const listed = (cal.decreeOf(year)?.days ?? []).filter((x) => x.date === d);
  if (listed.length === 0) throw new CatalogueEditError(404, `ngày ${d} không có ngày nghỉ hoán đổi hay ngày nghỉ thêm nào để bỏ (ngày lễ theo Bộ luật Lao động không bỏ được ở đây)`);
  const row = { date: d, action: 'remove' as const, kind: null, name: null, pairDate: null, createdBy: principal.actor };
  await save(deps, cal, principal, year, { insert: [row], deleteDates: [] }, 'remove_day', { date: d, days: listed });
  return { undone: [], removed: [d] };
}

/** The edits of a year as the API shows them. */
export function overridesJson(calendar: WorkingCalendar, year: number) {
  if (!(calendar instanceof LayeredCalendar)) return [];
  return calendar.overrides(year).map((o) => ({ ...o, createdAt: o.createdAt.toISO() }));
}
