import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalogue } from '../app/catalogue/catalogue.js';
import { LayeredCalendar, type CalendarOverrideStore } from '../app/calendar-edit.js';
import type { Logger } from '../app/ports.js';
import { loadCatalogue } from '../app/catalogue/load-catalogue.js';
import { formatIssue } from '../app/catalogue/yaml-source.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { dateHolidaysLunar } from '../adapters/lunar/date-holidays-lunar.js';
import { ConfigFileTooLarge, readConfigDir } from '../adapters/files/config-dir.js';
import { CommandFailed } from './cli-kit.js';

/** The folder holding package.json, found from this file whether it runs from src/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'hanchot') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the hanchot package root');
    dir = up;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function defaultConfigDir(): string {
  return join(packageRoot(), 'config');
}

export interface Loaded {
  readonly catalogue: Catalogue;
  readonly calendar: WorkingCalendar;
}

/** Reads and validates config/; throws CommandFailed listing every problem. */
export async function loadConfig(configDir: string | undefined): Promise<Loaded> {
  const dir = resolve(configDir ?? defaultConfigDir());
  if (!existsSync(dir)) throw new CommandFailed(`không tìm thấy thư mục cấu hình ${dir}`);
  let files;
  try {
    files = await readConfigDir(dir);
  } catch (e) {
    if (e instanceof ConfigFileTooLarge) throw new CommandFailed(`cấu hình không hợp lệ: ${e.message}`);
    throw e;
  }
  const result = loadCatalogue(files);
  if (!result.ok) {
    throw new CommandFailed(`cấu hình trong ${dir} có ${result.issues.length} lỗi, không dùng được:`, result.issues.map(formatIssue));
  }
  // The calendar of config/, ready to take the edits stored by the console (followStoredCalendar).
  return { catalogue: result.catalogue, calendar: new LayeredCalendar(result.catalogue.calendarRules, result.catalogue.decrees, dateHolidaysLunar()) };
}

/**
 * Lays the calendar edits stored in PostgreSQL over config/'s calendar now, and again every
 * `everyMs`: the process that takes an edit applies it at once, and other processes (workers
 * started apart from the API) pick it up within that time; the re-plan that the edit requested,
 * or the next planner tick, then uses it. Returns a function that stops following.
 */
export async function followStoredCalendar(calendar: WorkingCalendar, store: CalendarOverrideStore, options: { everyMs?: number; logger?: Logger } = {}): Promise<() => void> {
  if (!(calendar instanceof LayeredCalendar)) return () => undefined;
  let seen = '';
  const load = async () => {
    const edits = await store.calendarOverrides();
    const key = JSON.stringify(edits.map((o) => [o.date, o.action, o.kind, o.name, o.pairDate, o.createdAt.toMillis()]));
    if (key !== seen) {
      seen = key;
      calendar.apply(edits);
    }
  };
  await load();
  const timer = setInterval(() => {
    load().catch((e: unknown) => options.logger?.warn({ err: (e as Error).message }, 'calendar edits could not be read; keeping the last ones'));
  }, options.everyMs ?? 15_000);
  timer.unref();
  return () => clearInterval(timer);
}
