import { formatVnDateWithWeekday } from '../../domain/civil-date.js';
import type { CalendarEntryKind } from '../../domain/calendar/types.js';
import { calendarYear } from '../../app/calendar-report.js';
import { table, UsageError, type Command } from '../cli-kit.js';
import { loadConfig } from '../context.js';
import { CONFIG_HELP, configOption, warnMissingDecrees } from './shared-options.js';

const KIND_WORDS: Record<CalendarEntryKind, string> = {
  holiday: 'nghỉ lễ, Tết',
  substitute: 'nghỉ bù',
  swap_off: 'nghỉ hoán đổi',
  swap_work: 'làm bù',
};

export const calendarCommand: Command = {
  name: 'calendar',
  summary: 'liệt kê ngày nghỉ lễ, nghỉ bù, hoán đổi và ngày làm bù của một năm',
  usage: 'hanchot calendar <năm> [--json]',
  help: [
    'In mọi ngày không làm việc của năm (trừ thứ Bảy, Chủ nhật thông thường) với tên và căn cứ',
    '(luật, nghỉ bù, quyết định hoán đổi), và mọi ngày làm bù.',
    '',
    '  --json          in mảng JSON [{ "date", "name", "kind", "source" }],',
    '                  kind: holiday | substitute | swap_off | swap_work',
    CONFIG_HELP,
    '',
    'Ví dụ: hanchot calendar 2027',
  ].join('\n'),
  options: { json: { type: 'boolean' }, ...configOption },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const text = positionals[0]!;
    const year = Number(text);
    if (!/^\d{4}$/.test(text) || year < 1900 || year > 2199) throw new UsageError(`năm "${text}" không hợp lệ: cần 4 chữ số, 1900–2199 (year must be 1900–2199)`);
    const { calendar } = await loadConfig(values.config as string | undefined);
    const report = calendarYear(calendar, year);
    warnMissingDecrees(calendar, io);
    if (values.json) {
      io.out(JSON.stringify(report.days.map((d) => ({ date: d.date, name: d.name, kind: d.kind, source: d.source })), null, 2));
      return 0;
    }
    const origin = report.decreed
      ? `Quyết định nghỉ lễ năm ${year}:\n${report.sources.map((s, i) => `  [${i + 1}] ${s}`).join('\n')}`
      : `chưa có quyết định cho năm ${year}: ngày Tết và ngày liền kề 2/9 là mặc định theo Bộ luật Lao động 2019`;
    io.out(`Lịch nghỉ năm ${year} (${calendar.zone}; nghỉ hằng tuần: thứ Bảy, Chủ nhật)`);
    io.out(origin);
    io.out('');
    io.out(table(['Ngày', 'Loại', 'Tên', 'Căn cứ'], report.days.map((d) => [formatVnDateWithWeekday(d.date), KIND_WORDS[d.kind], d.name, d.source])));
    const off = report.days.filter((d) => d.kind !== 'swap_work').length;
    const work = report.days.length - off;
    io.out('');
    io.out(`Tổng: ${off} ngày nghỉ ngoài cuối tuần${work ? `, ${work} ngày làm bù` : ''}.`);
    return 0;
  },
};
