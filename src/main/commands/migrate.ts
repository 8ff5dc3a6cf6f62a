import type { Command } from '../cli-kit.js';
import { openRecord } from '../service.js';
import { ENV_HELP, runtime } from './runtime.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'tạo hoặc nâng cấp lược đồ cơ sở dữ liệu (chỉ tiến, không lùi)',
  usage: 'hanchot migrate',
  help: ['Áp dụng các migration còn thiếu, mỗi cái trong một giao dịch; chạy lại không làm gì thêm.', '', ENV_HELP].join('\n'),
  options: {},
  async run(_args, io) {
    const { env, logger } = runtime();
    const db = await openRecord(env, logger);
    try {
      const rows = await db.query<{ id: string }>('select id from schema_migrations order by id');
      io.out(`Cơ sở dữ liệu (${db.kind}) đã ở phiên bản ${rows.at(-1)?.id ?? '—'} (${rows.length} migration).`);
    } finally {
      await db.close();
    }
    return 0;
  },
};
