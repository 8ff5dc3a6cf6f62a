import { createLogger } from '../../adapters/log/pino-logger.js';
import type { Logger } from '../../app/ports.js';
import { CommandFailed } from '../cli-kit.js';
import { EnvironmentError, loadEnvironment, type Environment } from '../environment.js';

/** Environment and logger for commands that touch the outside world; bad env → exit 1 listing all problems. */
export function runtime(overrides: { config?: string } = {}): { env: Environment; logger: Logger } {
  let env: Environment;
  try {
    env = loadEnvironment();
  } catch (e) {
    if (e instanceof EnvironmentError) throw new CommandFailed(`cấu hình môi trường có ${e.problems.length} lỗi:`, e.problems);
    throw e;
  }
  if (overrides.config) env = Object.freeze({ ...env, HANCHOT_CONFIG_DIR: overrides.config });
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: process.stderr.isTTY === true });
  return { env, logger };
}

export const ENV_HELP = 'Môi trường: DATABASE_URL (không đặt: PGlite trong HANCHOT_DATA_DIR), REDIS_URL, SMTP_URL, MAIL_FROM, … (xem config/example.env).';
