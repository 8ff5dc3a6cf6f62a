import type { Command } from '../cli-kit.js';
import { loadConfig } from '../context.js';
import { CONFIG_HELP, configOption, warnMissingDecrees } from './shared-options.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'kiểm tra toàn bộ cấu hình và danh mục trong config/',
  usage: 'hanchot validate [--config DIR]',
  help: [
    'Đọc và kiểm tra mọi tệp trong config/ (cài đặt, lịch, đơn vị, văn bản và nhiệm vụ).',
    'Báo mọi lỗi cùng lúc với tệp, dòng và trường; thoát với mã 1 nếu có lỗi.',
    '',
    CONFIG_HELP,
  ].join('\n'),
  options: { ...configOption },
  async run({ values }, io) {
    const { catalogue, calendar } = await loadConfig(values.config as string | undefined);
    const contacts = catalogue.units.reduce((n, u) => n + u.contacts.length, 0);
    const assumed = catalogue.obligations.filter((o) => o.assumed).length;
    const years = catalogue.decrees.map((d) => d.year);
    io.out(
      `Cấu hình hợp lệ: ${catalogue.directives.length} văn bản, ${catalogue.obligations.length} nhiệm vụ (${assumed} dùng mặc định cần xác nhận), ` +
        `${catalogue.units.length} đơn vị, ${contacts} người nhận; năm có quyết định nghỉ lễ: ${years.length ? years.join(', ') : 'chưa có'}.`,
    );
    warnMissingDecrees(calendar, io);
    return 0;
  },
};
