import { verifySmtp } from '../../adapters/email/smtp-channel.js';
import { MIGRATIONS } from '../../adapters/postgres/migrations.js';
import { checkRedisSettings, redisAnswers } from '../../adapters/redis/private-redis.js';
import { redactUrl } from '../../adapters/log/pino-logger.js';
import { PostgresStore } from '../../adapters/postgres/store.js';
import { localDateOf } from '../../domain/instant.js';
import type { Command } from '../cli-kit.js';
import { loadConfig } from '../context.js';
import { DEFAULT_REDIS_URL, openRecord } from '../service.js';
import { CONFIG_HELP, configOption } from './shared-options.js';
import { ENV_HELP, runtime } from './runtime.js';

type Verdict = 'ok' | 'warn' | 'fail';
interface Check {
  readonly name: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** What to do about it. */
  readonly fix?: string;
}

const MARK: Record<Verdict, string> = { ok: '✓', warn: '!', fail: '✗' };

/**
 * `hanchot doctor`: checks what a deployment needs and says what to fix, one line per check;
 * exit 1 when something is broken (warnings alone exit 0).
 */
export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'kiểm tra cấu hình triển khai (cơ sở dữ liệu, Redis, SMTP, Zalo, lịch nghỉ) và nói cần sửa gì',
  usage: 'hanchot doctor [--config DIR]',
  help: [
    'Kiểm tra: config/ hợp lệ; lịch nghỉ đã có quyết định cho năm nay và năm sau; PostgreSQL (hoặc PGlite) mở được và đã',
    'chạy đủ migration; Redis trả lời, bật AOF và maxmemory-policy noeviction; SMTP nhận kết nối (nếu đặt SMTP_URL);',
    'Zalo đủ thông số và mã OA còn hiệu lực; HANCHOT_SECRET và HANCHOT_ADMIN_TOKEN đã đặt khi dùng PostgreSQL.',
    'Thoát 1 nếu có lỗi (✗); cảnh báo (!) không làm lệnh thất bại.',
    '',
    CONFIG_HELP,
    ENV_HELP,
  ].join('\n'),
  options: { ...configOption },
  async run({ values }, io) {
    const { env, logger, clock } = runtime({ config: values.config as string | undefined });
    const checks: Check[] = [];
    const add = (c: Check) => {
      checks.push(c);
      io.out(`${MARK[c.verdict]} ${c.name}: ${c.detail}${c.fix ? `\n    → ${c.fix}` : ''}`);
    };

    // config/ and the calendar
    let zone = 'Asia/Ho_Chi_Minh';
    try {
      const loaded = await loadConfig(env.HANCHOT_CONFIG_DIR);
      zone = loaded.calendar.zone;
      add({ name: 'config/', verdict: 'ok', detail: `${loaded.catalogue.obligations.length} nhiệm vụ, ${loaded.catalogue.units.length} đơn vị` });
      const year = Number(localDateOf(clock.now(), zone).slice(0, 4));
      for (const y of [year, year + 1]) {
        add(
          loaded.calendar.hasDecree(y)
            ? { name: `lịch nghỉ ${y}`, verdict: 'ok', detail: `có quyết định (${(loaded.calendar.decreeOf(y)?.sources ?? []).length} văn bản căn cứ; xem hanchot calendar ${y})` }
            : { name: `lịch nghỉ ${y}`, verdict: 'warn', detail: 'chưa có quyết định: đang dùng mặc định của Bộ luật Lao động 2019', fix: `thêm config/calendar/years/${y}.yaml khi Chính phủ công bố` },
        );
      }
    } catch (e) {
      add({ name: 'config/', verdict: 'fail', detail: (e as Error).message, fix: 'chạy hanchot validate để xem từng lỗi' });
    }

    // the record
    try {
      const db = await openRecord(env, logger, clock);
      try {
        const applied = (await db.query<{ id: string }>('select id from schema_migrations order by id')).map((r) => r.id);
        const missing = MIGRATIONS.filter((m) => !applied.includes(m.id)).map((m) => m.id);
        add(
          missing.length === 0
            ? { name: 'cơ sở dữ liệu', verdict: 'ok', detail: `${db.kind === 'pglite' ? 'PGlite (nhúng)' : redactUrl(env.DATABASE_URL ?? '')}, migration ${applied.at(-1)}` }
            : { name: 'cơ sở dữ liệu', verdict: 'fail', detail: `thiếu migration ${missing.join(', ')}`, fix: 'chạy hanchot migrate' },
        );
        if (db.kind === 'pglite') add({ name: 'cơ sở dữ liệu', verdict: 'warn', detail: 'PGlite chỉ cho một tiến trình', fix: 'đặt DATABASE_URL (PostgreSQL) cho vận hành thật và khi chạy nhiều worker' });
        const health = await new PostgresStore(db).channelHealth();
        for (const h of health) {
          add(
            h.status === 'ok'
              ? { name: `Zalo OA ${h.appId}`, verdict: 'ok', detail: `mã còn hạn đến ${h.accessExpiresAt?.setZone(zone).toFormat('HH:mm dd/LL/yyyy') ?? '?'}${h.remainingQuota !== null ? `, còn ${h.remainingQuota} tin ZNS hôm nay` : ''}` }
              : { name: `Zalo OA ${h.appId}`, verdict: 'fail', detail: `cần cấp quyền lại: ${h.statusReason ?? ''}`, fix: 'quản trị OA cấp quyền lại rồi đặt ZALO_REFRESH_TOKEN mới' },
          );
        }
      } finally {
        await db.close();
      }
    } catch (e) {
      add({ name: 'cơ sở dữ liệu', verdict: 'fail', detail: (e as Error).message, fix: env.DATABASE_URL ? 'kiểm tra DATABASE_URL và PostgreSQL' : 'kiểm tra thư mục HANCHOT_DATA_DIR' });
    }

    // Redis
    const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL;
    if (await redisAnswers(redisUrl)) {
      const problems = await checkRedisSettings(redisUrl);
      add(problems.length === 0 ? { name: 'Redis', verdict: 'ok', detail: `${redactUrl(redisUrl)}: AOF bật, noeviction` } : { name: 'Redis', verdict: 'warn', detail: problems.join('; '), fix: 'appendonly yes, appendfsync everysec, maxmemory-policy noeviction' });
    } else {
      add({ name: 'Redis', verdict: env.REDIS_URL ? 'fail' : 'warn', detail: `${redactUrl(redisUrl)} không trả lời`, fix: env.REDIS_URL ? 'kiểm tra REDIS_URL' : 'hanchot start sẽ tự chạy một redis-server riêng nếu có trong PATH' });
    }

    // SMTP
    if (env.SMTP_URL) {
      try {
        await verifySmtp(env.SMTP_URL);
        add({ name: 'SMTP', verdict: 'ok', detail: `${redactUrl(env.SMTP_URL)} nhận kết nối` });
      } catch (e) {
        add({ name: 'SMTP', verdict: 'fail', detail: `${redactUrl(env.SMTP_URL)}: ${(e as Error).message}`, fix: 'kiểm tra SMTP_URL (máy, cổng, tài khoản)' });
      }
    } else {
      add({ name: 'SMTP', verdict: 'warn', detail: 'chưa đặt SMTP_URL: thư chỉ được ghi thành tệp .eml', fix: 'đặt SMTP_URL=smtps://tài-khoản:mật-khẩu@máy:465' });
    }

    // Zalo and secrets
    const zalo = [env.ZALO_APP_ID, env.ZALO_APP_SECRET, env.ZALO_REFRESH_TOKEN].filter(Boolean).length;
    if (zalo === 0) add({ name: 'Zalo', verdict: 'warn', detail: 'chưa cấu hình: mọi lời nhắc gửi qua email' });
    else if (zalo < 3) add({ name: 'Zalo', verdict: 'fail', detail: 'thiếu một trong ZALO_APP_ID, ZALO_APP_SECRET, ZALO_REFRESH_TOKEN', fix: 'đặt đủ cả ba' });
    else if (!env.ZALO_ZNS_TEMPLATE_REMINDER) add({ name: 'Zalo', verdict: 'warn', detail: 'chưa có ZALO_ZNS_TEMPLATE_REMINDER: lời nhắc qua ZNS sẽ chuyển sang email', fix: 'đặt mã mẫu ZNS đã được Zalo duyệt' });
    else add({ name: 'Zalo', verdict: 'ok', detail: `ứng dụng ${env.ZALO_APP_ID}` });
    if (env.DATABASE_URL) {
      add(env.HANCHOT_SECRET ? { name: 'HANCHOT_SECRET', verdict: 'ok', detail: 'đã đặt' } : { name: 'HANCHOT_SECRET', verdict: 'fail', detail: 'chưa đặt: không ký được liên kết trong thư', fix: 'đặt một chuỗi ngẫu nhiên ≥ 16 ký tự' });
      add(env.HANCHOT_ADMIN_TOKEN ? { name: 'HANCHOT_ADMIN_TOKEN', verdict: 'ok', detail: 'đã đặt' } : { name: 'HANCHOT_ADMIN_TOKEN', verdict: 'warn', detail: 'chưa đặt: API chỉ dùng được bằng mã tạo với hanchot token create', fix: 'đặt để có quyền quản trị ban đầu' });
    }
    if (!/^https:/.test(env.PUBLIC_URL)) add({ name: 'PUBLIC_URL', verdict: env.DATABASE_URL ? 'warn' : 'ok', detail: env.PUBLIC_URL, ...(env.DATABASE_URL ? { fix: 'dùng https:// khi chạy thật (cookie phiên chỉ Secure khi dùng https)' } : {}) });

    const failed = checks.filter((c) => c.verdict === 'fail').length;
    const warned = checks.filter((c) => c.verdict === 'warn').length;
    io.out(`\n${failed ? `${failed} lỗi` : 'Không có lỗi'}${warned ? `, ${warned} cảnh báo` : ''}.`);
    return failed > 0 ? 1 : 0;
  },
};
