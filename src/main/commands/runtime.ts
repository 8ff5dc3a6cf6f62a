import { createLogger } from '../../adapters/log/pino-logger.js';
import { DateTime } from 'luxon';
import { shiftedClock, systemClock } from '../../adapters/clock/system-clock.js';
import type { Clock, Logger } from '../../app/ports.js';
import { CommandFailed } from '../cli-kit.js';
import { EnvironmentError, loadEnvironment, type Environment } from '../environment.js';

/** Environment, logger and clock for commands that touch the outside world; bad env → exit 1 listing all problems. */
export function runtime(overrides: { config?: string } = {}): { env: Environment; logger: Logger; clock: Clock } {
  let env: Environment;
  try {
    env = loadEnvironment();
  } catch (e) {
    if (e instanceof EnvironmentError) throw new CommandFailed(`cấu hình môi trường có ${e.problems.length} lỗi:`, e.problems);
    throw e;
  }
  if (overrides.config) env = Object.freeze({ ...env, HANCHOT_CONFIG_DIR: overrides.config });
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: process.stderr.isTTY === true });
  let clock = systemClock;
  if (env.HANCHOT_NOW) {
    clock = shiftedClock(DateTime.fromISO(env.HANCHOT_NOW, { setZone: true }));
    logger.warn({ HANCHOT_NOW: env.HANCHOT_NOW }, 'HANCHOT_NOW is set: the clock is shifted (demos and tests only)');
  }
  return { env, logger, clock };
}

export const ENV_HELP = 'Môi trường: DATABASE_URL (không đặt: PGlite trong HANCHOT_DATA_DIR), REDIS_URL, SMTP_URL, MAIL_FROM, … (xem config/example.env).';
