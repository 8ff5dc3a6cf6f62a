import { PostgresStore } from '../../adapters/postgres/store.js';
import { systemClock } from '../../adapters/clock/system-clock.js';
import { remindNow, RemindError } from '../../app/remind-now.js';
import { formatVnDateWithWeekday } from '../../domain/civil-date.js';
import { CommandFailed, UsageError, type Command } from '../cli-kit.js';
import { loadConfig } from '../context.js';
import { createChannels, createComposer } from '../messaging.js';
import { DEFAULT_REDIS_URL, openRecord, resolveSecret } from '../service.js';
import { redisAnswers } from '../../adapters/redis/private-redis.js';
import { RedisLock } from '../../adapters/redis/redis-lock.js';
import { CONFIG_HELP, configOption } from './shared-options.js';
import { ENV_HELP, runtime } from './runtime.js';

export const remindCommand: Command = {
  name: 'remind',
  summary: 'gửi ngay một lượt nhắc cho một nhiệm vụ (qua cùng đường gửi và nhật ký)',
  usage: 'hanchot remind <obligationId> [--occurrence KEY] --now',
  help: [
    'Gửi ngay lời nhắc của một kỳ cho mọi người nhận ở các đơn vị còn chưa hoàn thành. Dùng cùng khóa chống',
    'gửi trùng: chạy lại trong cùng ngày không gửi lại. --now bỏ qua giờ yên lặng (07:00–21:00 ngày làm việc).',
    '',
    '  --occurrence KEY  kỳ cần nhắc ("2027", "2021-Q2", "once"); mặc định: kỳ gần nhất chưa quá hạn',
    '  --now             bắt buộc: gửi ngay',
    CONFIG_HELP,
    '',
    'Ví dụ: hanchot remind dmc-159-2020.thematic-report --occurrence 2027 --now',
    ENV_HELP,
  ].join('\n'),
  options: { occurrence: { type: 'string' }, now: { type: 'boolean' }, ...configOption },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    if (values.now !== true) throw new UsageError('cần --now (chỉ hỗ trợ gửi ngay; lịch nhắc thường do hanchot start lo)');
    const { env, logger } = runtime({ config: values.config as string | undefined });
    const loaded = await loadConfig(env.HANCHOT_CONFIG_DIR);
    const compose = await createComposer(env, loaded, await resolveSecret(env));
    const db = await openRecord(env, logger);
    const store = new PostgresStore(db);
    const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL;
    const lock = (await redisAnswers(redisUrl)) ? RedisLock.connect(redisUrl) : undefined;
    const channels = await createChannels(env, logger, { store, clock: systemClock, lock, zone: loaded.calendar.zone });
    try {
      io.err('--now: bỏ qua giờ yên lặng, gửi ngay.');
      const result = await remindNow(
        { store, clock: systemClock, calendar: loaded.calendar, channels, compose, logger },
        positionals[0]!,
        values.occurrence as string | undefined,
      );
      const sent = result.messages.filter((m) => m.result.status === 'sent').length;
      const failed = result.messages.filter((m) => m.result.status === 'failed');
      io.out(
        `Kỳ ${result.occurrence.key} (hạn ${formatVnDateWithWeekday(result.occurrence.nominalDue)}), bước ${result.step}: ` +
          `${result.deliveries} lượt gửi (${result.created} mới), ${sent} thư đã gửi${failed.length ? `, ${failed.length} thư lỗi` : ''}.`,
      );
      if (result.created === 0 && result.deliveries > 0) io.out('Hôm nay đã nhắc kỳ này rồi: không gửi lại.');
      if (result.deliveries === 0) io.out('Không còn đơn vị nào chưa hoàn thành (hoặc không có người nhận).');
      for (const f of failed) io.err(`  lỗi: ${f.messageKey}: ${'reason' in f.result ? f.result.reason : ''}`);
      return failed.length > 0 ? 1 : 0;
    } catch (e) {
      if (e instanceof RemindError) throw new CommandFailed(e.message);
      throw e;
    } finally {
      await Promise.all(channels.map((c) => c.close()));
      await lock?.close();
      await db.close();
    }
  },
};
