import { resolve } from 'node:path';
import { formatVnDate, formatVnDateWithWeekday } from '../../domain/civil-date.js';
import { describeStepId } from '../../domain/describe.js';
import { localDateOf } from '../../domain/instant.js';
import { redactUrl } from '../../adapters/log/pino-logger.js';
import type { Command, Io } from '../cli-kit.js';
import { CommandFailed } from '../cli-kit.js';
import { RedisUnavailable } from '../../adapters/redis/private-redis.js';
import { startService, type RunningService } from '../service.js';
import { CONFIG_HELP, configOption, warnMissingDecrees } from './shared-options.js';
import { ENV_HELP, runtime } from './runtime.js';

function serviceCommand(role: 'start' | 'worker'): Command {
  return {
    name: role,
    summary:
      role === 'start'
        ? 'chạy dịch vụ: nạp danh mục, lập lịch nhắc, gửi nhắc (một tiến trình)'
        : 'chỉ chạy các worker (gửi nhắc), để nhiều máy cùng chia tải',
    usage: `hanchot ${role} [--config DIR]`,
    help: [
      role === 'start'
        ? 'Nạp config/ vào cơ sở dữ liệu, lập lịch nhắc trong khoảng HANCHOT_HORIZON_DAYS ngày tới, rồi chạy bộ lập lịch\n(mỗi HANCHOT_PLANNER_EVERY_MINUTES phút) và các worker. Không có Redis ở 127.0.0.1:6379 và REDIS_URL chưa đặt:\nchạy một redis-server riêng với dữ liệu trong HANCHOT_DATA_DIR/redis. SMTP_URL chưa đặt: thư được ghi thành\ntệp .eml trong HANCHOT_DATA_DIR/outbox.'
        : 'Chạy các worker (bắn bước nhắc, gửi thư) trên Redis và cơ sở dữ liệu dùng chung; không nạp danh mục, không lập lịch.',
      'Dừng bằng Ctrl-C hoặc SIGTERM: chờ các việc đang làm xong (tối đa HANCHOT_SHUTDOWN_TIMEOUT_MS) rồi đóng kết nối.',
      CONFIG_HELP,
      '',
      ENV_HELP,
    ].join('\n'),
    options: { ...configOption },
    async run({ values }, io) {
      const { env, logger } = runtime({ config: values.config as string | undefined });
      let service: RunningService;
      try {
        service = await startService({ env, logger, role });
      } catch (e) {
        if (e instanceof RedisUnavailable) throw new CommandFailed(e.message);
        throw e;
      }
      await banner(service, role, env.HANCHOT_DATA_DIR, env.SMTP_URL, io);
      warnMissingDecrees(service.loaded.calendar, io);
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          io.err(`Nhận ${signal}: đang dừng (chờ các việc đang làm xong)…`);
          service.stop().then(done, done);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      io.err('Đã dừng.');
      return 0;
    },
  };
}

async function banner(service: RunningService, role: string, dataDir: string, smtpUrl: string | undefined, io: Io): Promise<void> {
  const zone = service.loaded.calendar.zone;
  const where = service.db.kind === 'pglite' ? `PGlite trong ${resolve(dataDir, 'pglite')}` : 'PostgreSQL (DATABASE_URL)';
  io.err(`Hạn Chót đang chạy (${role}). Cơ sở dữ liệu: ${where}. Redis: ${redactUrl(service.redis.url)}${service.redis.private ? ' (riêng, dữ liệu trong ' + resolve(dataDir, 'redis') + ')' : ''}.`);
  io.err(smtpUrl ? `Thư gửi qua SMTP ${redactUrl(smtpUrl)}.` : `Thư (chưa đặt SMTP_URL) được ghi thành tệp .eml trong ${resolve(dataDir, 'outbox')}.`);
  if (role !== 'start') return;
  const next = await service.store.nextPlannedSteps(5);
  if (next.length === 0) io.err('Không có lượt nhắc nào trong khoảng lập lịch.');
  else {
    io.err('Các lượt nhắc sắp tới:');
    for (const n of next) {
      io.err(`  ${formatVnDateWithWeekday(localDateOf(n.fireAt, zone))} ${n.fireAt.setZone(zone).toFormat('HH:mm')} — ${describeStepId(n.step)} — ${n.title} (hạn ${formatVnDate(n.nominalDue)})`);
    }
  }
}

export const startCommand = serviceCommand('start');
export const workerCommand = serviceCommand('worker');
