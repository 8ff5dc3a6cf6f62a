import { resolve } from 'node:path';
import { formatVnDate, formatVnDateWithWeekday } from '../../domain/civil-date.js';
import { describeStepId } from '../../domain/describe.js';
import { localDateOf } from '../../domain/instant.js';
import { redactUrl } from '../../adapters/log/pino-logger.js';
import type { Command, Io } from '../cli-kit.js';
import { CommandFailed } from '../cli-kit.js';
import { RedisUnavailable } from '../../adapters/redis/private-redis.js';
import { startService, type RunningService } from '../service.js';
import { startFakeZalo, type FakeZalo } from '../../adapters/zalo/fake-zalo-server.js';
import type { Environment } from '../environment.js';
import { CONFIG_HELP, configOption, warnMissingDecrees } from './shared-options.js';
import { ENV_HELP, runtime } from './runtime.js';

const SUMMARIES = {
  start: 'chạy dịch vụ: nạp danh mục, lập lịch nhắc, gửi nhắc, trang quản trị và API (một tiến trình)',
  worker: 'chỉ chạy các worker (gửi nhắc), để nhiều máy cùng chia tải',
  api: 'chỉ chạy trang quản trị, liên kết một chạm và API (PORT), không gửi, không lập lịch',
} as const;

const DESCRIPTIONS = {
  start:
    'Nạp config/ vào cơ sở dữ liệu, lập lịch nhắc trong khoảng HANCHOT_HORIZON_DAYS ngày tới, rồi chạy bộ lập lịch\n(mỗi HANCHOT_PLANNER_EVERY_MINUTES phút), các worker và HTTP (PORT). Không có Redis ở 127.0.0.1:6379 và REDIS_URL chưa đặt:\nchạy một redis-server riêng với dữ liệu trong HANCHOT_DATA_DIR/redis. SMTP_URL chưa đặt: thư được ghi thành\ntệp .eml trong HANCHOT_DATA_DIR/outbox.',
  worker: 'Chạy các worker (bắn bước nhắc, chuyển cấp, gửi thư) trên Redis và cơ sở dữ liệu dùng chung; không nạp danh mục, không lập lịch.',
  api: 'Phục vụ trang quản trị, liên kết một chạm, lịch iCalendar và /api/v1 trên PORT, dùng chung cơ sở dữ liệu và Redis với\nhanchot start / hanchot worker (việc gửi do worker làm). Chạy nhiều tiến trình api sau một bộ cân bằng tải được.',
} as const;

function serviceCommand(role: 'start' | 'worker' | 'api'): Command {
  return {
    name: role,
    summary: SUMMARIES[role],
    usage: `hanchot ${role} [--config DIR]`,
    help: [
      DESCRIPTIONS[role],
      'Dừng bằng Ctrl-C hoặc SIGTERM: chờ các việc đang làm xong (tối đa HANCHOT_SHUTDOWN_TIMEOUT_MS) rồi đóng kết nối.',
      ...(role === 'start' ? ['', '  --fake-zalo     chạy kèm một máy chủ Zalo giả trên 127.0.0.1 (thử kênh Zalo mà không cần tài khoản OA)'] : []),
      CONFIG_HELP,
      '',
      ENV_HELP,
    ].join('\n'),
    options: role === 'start' ? { ...configOption, 'fake-zalo': { type: 'boolean' } } : { ...configOption },
    async run({ values }, io) {
      const runtimeEnv = runtime({ config: values.config as string | undefined });
      const { logger, clock } = runtimeEnv;
      let env = runtimeEnv.env;
      let fake: FakeZalo | undefined;
      if (values['fake-zalo'] === true) {
        ({ env, fake } = await withFakeZalo(env));
        io.err(`--fake-zalo: máy chủ Zalo giả tại ${fake.url} (chỉ để thử; không gửi gì ra ngoài).`);
      }
      let service: RunningService;
      try {
        service = await startService({ env, logger, role, clock });
      } catch (e) {
        await fake?.close();
        if (e instanceof RedisUnavailable) throw new CommandFailed(e.message);
        throw e;
      }
      // Listening for the signals before the banner: the banner's first line tells a supervisor the
      // service is up, and a SIGTERM sent while the rest of it was still being read from the record
      // used to kill the process outright (no drain, exit by signal; seen in CI's downtime test).
      // A signal that comes again while stopping is not the default kill: Ctrl-C under `npx` reaches
      // the process twice (from the terminal and forwarded by npx). The drain is bounded anyway.
      const stopped = new Promise<void>((done) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return io.err(`Nhận ${signal}: vẫn đang dừng (tối đa HANCHOT_SHUTDOWN_TIMEOUT_MS)…`);
          stopping = true;
          io.err(`Nhận ${signal}: đang dừng (chờ các việc đang làm xong)…`);
          service.stop().then(done, done);
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      });
      await banner(service, role, env.HANCHOT_DATA_DIR, env.SMTP_URL, io);
      warnMissingDecrees(service.loaded.calendar, io);
      await stopped;
      if (fake) {
        io.err(`Máy chủ Zalo giả đã nhận ${fake.requests.length} yêu cầu (${fake.state.sent.length} tin gửi được, ${fake.state.refreshCount} lần làm mới token).`);
        await fake.close();
      }
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
  if (service.http) io.err(`Trang quản trị, liên kết một chạm và API: ${service.http.listeningOrigin} (PUBLIC_URL trong thư: ${service.publicUrl}).`);
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

/** The demo's Zalo: a loopback fake that follows the reference, with demo credentials and templates. */
async function withFakeZalo(env: Environment): Promise<{ env: Environment; fake: FakeZalo }> {
  const appId = env.ZALO_APP_ID ?? 'demo-app';
  const secretKey = env.ZALO_APP_SECRET ?? 'demo-secret';
  const refreshToken = env.ZALO_REFRESH_TOKEN ?? 'demo-refresh-token';
  const fake = await startFakeZalo({ appId, secretKey, refreshToken });
  return {
    fake,
    env: Object.freeze({
      ...env,
      ZALO_APP_ID: appId,
      ZALO_APP_SECRET: secretKey,
      ZALO_REFRESH_TOKEN: refreshToken,
      ZALO_OA_BASE_URL: fake.url,
      ZALO_ZNS_BASE_URL: fake.url,
      ZALO_OAUTH_BASE_URL: fake.url,
      ZALO_ZNS_TEMPLATE_REMINDER: env.ZALO_ZNS_TEMPLATE_REMINDER ?? 'demo-reminder',
      ZALO_ZNS_TEMPLATE_DUE_TODAY: env.ZALO_ZNS_TEMPLATE_DUE_TODAY ?? 'demo-due-today',
      ZALO_ZNS_TEMPLATE_OVERDUE: env.ZALO_ZNS_TEMPLATE_OVERDUE ?? 'demo-overdue',
      ZALO_ZNS_TEMPLATE_ESCALATION: env.ZALO_ZNS_TEMPLATE_ESCALATION ?? 'demo-escalation',
    }),
  };
}

export const startCommand = serviceCommand('start');
export const workerCommand = serviceCommand('worker');
export const apiCommand = serviceCommand('api');
