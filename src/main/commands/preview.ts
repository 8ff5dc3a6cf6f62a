import { formatVnDate, formatVnDateWithWeekday } from '../../domain/civil-date.js';
import { describeStepId } from '../../domain/describe.js';
import { preview, UnknownUnitError, type Preview } from '../../app/preview.js';
import { CommandFailed, table, truncate, UsageError, type Command } from '../cli-kit.js';
import { loadConfig } from '../context.js';
import { CONFIG_HELP, configOption, dateOption, warnMissingDecrees } from './shared-options.js';

export const previewCommand: Command = {
  name: 'preview',
  summary: 'xem trước các kỳ đến hạn và lượt nhắc trong một khoảng thời gian',
  usage: 'hanchot preview --from YYYY-MM-DD --to YYYY-MM-DD [--unit ID] [--json]',
  help: [
    'Liệt kê, từ danh mục trong config/, mọi kỳ đến hạn trong khoảng [--from, --to] (hạn theo văn bản',
    'và hạn thực tế sau khi dời khỏi ngày nghỉ) và mọi lượt nhắc sẽ gửi trong khoảng đó.',
    'Không cần cơ sở dữ liệu hay Redis.',
    '',
    '  --from DATE     ngày đầu (bao gồm)',
    '  --to DATE       ngày cuối (bao gồm)',
    '  --unit ID       chỉ những gì đơn vị này và các đơn vị trực thuộc phải làm',
    '  --json          in JSON (xem README, mục "hanchot preview --json")',
    CONFIG_HELP,
    '',
    'Ví dụ: hanchot preview --from 2027-10-01 --to 2027-11-30 --unit dmc',
  ].join('\n'),
  options: { from: { type: 'string' }, to: { type: 'string' }, unit: { type: 'string' }, json: { type: 'boolean' }, ...configOption },
  async run({ values }, io) {
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    if (to < from) throw new UsageError(`--to ${to} trước --from ${from} (the window ends before it starts)`);
    if (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) > 50) throw new UsageError('khoảng xem tối đa 50 năm (window too long)');
    const { catalogue, calendar } = await loadConfig(values.config as string | undefined);
    let result: Preview;
    try {
      result = preview(catalogue, calendar, { from, to, unitId: values.unit as string | undefined });
    } catch (e) {
      if (e instanceof UnknownUnitError) throw new CommandFailed(e.message);
      throw e;
    }
    warnMissingDecrees(calendar, io);
    if (values.json) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    io.out(renderPreview(result));
    return 0;
  },
};

function renderPreview(p: Preview): string {
  const scope = p.unitId ? `đơn vị ${p.unitId} và các đơn vị trực thuộc` : 'tất cả đơn vị';
  const out: string[] = [`Hạn Chót — xem trước từ ${formatVnDate(p.from)} đến ${formatVnDate(p.to)} (${scope})`, ''];
  const mark = (assumed: string | undefined) => (assumed ? ' *' : '');

  out.push(`KỲ ĐẾN HẠN (${p.occurrences.length})`);
  if (p.occurrences.length === 0) out.push('  (không có)');
  else
    out.push(
      table(
        ['Hạn theo văn bản', 'Hạn thực tế', 'Văn bản', 'Kỳ', 'Nhiệm vụ', 'Thời hạn'],
        p.occurrences.map((o) => [
          formatVnDateWithWeekday(o.nominalDue),
          o.effectiveDue === o.nominalDue ? '=' : formatVnDateWithWeekday(o.effectiveDue),
          o.directive,
          o.key,
          truncate(o.title, 56) + mark(o.assumed),
          o.rule,
        ]),
      ),
    );

  out.push('', `LƯỢT NHẮC (${p.reminders.length}, lúc ${p.reminders[0]?.fireAt.slice(11, 16) ?? '08:00'} giờ Việt Nam)`);
  if (p.reminders.length === 0) out.push('  (không có)');
  else
    out.push(
      table(
        ['Ngày nhắc', 'Bước', 'Hạn', 'Văn bản', 'Nhiệm vụ'],
        p.reminders.map((r) => [
          formatVnDateWithWeekday(r.fireOn),
          r.steps.map(describeStepId).join(' + '),
          formatVnDate(r.nominalDue),
          r.directive,
          truncate(r.title, 56),
        ]),
      ),
    );

  if (p.undated.length > 0) {
    out.push('', `KHÔNG CÓ HẠN CỐ ĐỊNH: thường xuyên, khi có phát sinh (${p.undated.length})`);
    out.push(table(['Văn bản', 'Nhiệm vụ', 'Thời hạn'], p.undated.map((u) => [u.directive, truncate(u.title, 56) + mark(u.assumed), u.rule])));
  }
  if ([...p.occurrences, ...p.undated].some((o) => o.assumed)) {
    out.push('', '* thời hạn là mặc định vì văn bản không ghi rõ: cần quản trị viên xác nhận (xem trường `assumed` trong danh mục).');
  }
  out.push('', `Tổng: ${p.occurrences.length} kỳ đến hạn, ${p.reminders.length} lượt nhắc, ${p.undated.length} nhiệm vụ không có hạn cố định.`);
  return out.join('\n');
}
