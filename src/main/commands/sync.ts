import { PostgresStore } from '../../adapters/postgres/store.js';
import { BullmqJobQueue } from '../../adapters/bullmq/bullmq-queue.js';
import { redisAnswers } from '../../adapters/redis/private-redis.js';
import { systemClock } from '../../adapters/clock/system-clock.js';
import { describePlan, isEmptyPlan, syncCatalogue } from '../../app/sync.js';
import type { Command } from '../cli-kit.js';
import { loadConfig } from '../context.js';
import { DEFAULT_REDIS_URL, openRecord, QUEUE_RETRIES, redisConnection } from '../service.js';
import { CONFIG_HELP, configOption } from './shared-options.js';
import { ENV_HELP, runtime } from './runtime.js';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'nạp danh mục YAML trong config/ vào cơ sở dữ liệu (một giao dịch)',
  usage: 'hanchot sync [--dry-run] [--config DIR]',
  help: [
    'Kiểm tra toàn bộ config/, rồi thêm/sửa văn bản, đơn vị, người nhận và nhiệm vụ theo id ổn định trong',
    'một giao dịch; thứ đã bỏ khỏi config/ được đánh dấu xóa (lịch sử giữ nguyên). Tệp sai thì không đổi gì.',
    'Nếu dịch vụ đang chạy (Redis trả lời), các nhiệm vụ đổi hạn được lập lịch nhắc lại ngay.',
    '',
    '  --dry-run       chỉ in những thay đổi sẽ làm (+ thêm, ~ sửa, - xóa)',
    CONFIG_HELP,
    '',
    ENV_HELP,
  ].join('\n'),
  options: { 'dry-run': { type: 'boolean' }, ...configOption },
  async run({ values }, io) {
    const { env, logger } = runtime({ config: values.config as string | undefined });
    const { catalogue } = await loadConfig(env.HANCHOT_CONFIG_DIR);
    const db = await openRecord(env, logger);
    try {
      const store = new PostgresStore(db);
      const dryRun = values['dry-run'] === true;
      const result = await syncCatalogue({ store, clock: systemClock }, catalogue, { dryRun, actor: 'cli sync' });
      const lines = describePlan(result.plan);
      if (isEmptyPlan(result.plan)) io.out('Không có gì thay đổi: cơ sở dữ liệu đã khớp với config/.');
      else {
        io.out(dryRun ? `Sẽ thay đổi (${lines.length}):` : `Đã thay đổi (${lines.length}):`);
        for (const line of lines) io.out(`  ${line}`);
      }
      if (!dryRun && result.replan.length > 0) {
        const url = env.REDIS_URL ?? DEFAULT_REDIS_URL;
        if (await redisAnswers(url)) {
          const queue = new BullmqJobQueue({ connection: redisConnection(url), clock: systemClock, retries: QUEUE_RETRIES });
          await queue.requestPlan({ obligationIds: result.replan });
          await queue.close();
          io.out(`Đã yêu cầu lập lại lịch nhắc cho ${result.replan.length} nhiệm vụ.`);
        } else {
          io.out(`${result.replan.length} nhiệm vụ cần lập lại lịch nhắc: việc này diễn ra khi dịch vụ khởi động (hanchot start).`);
        }
      }
    } finally {
      await db.close();
    }
    return 0;
  },
};
