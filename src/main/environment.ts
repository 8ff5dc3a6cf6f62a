import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/**
 * The service's environment, validated once at start with every problem reported together.
 * config/example.env lists each variable with a comment.
 */
const url = (protocols: readonly string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `cần URL dạng ${protocols.map((p) => `${p}//…`).join(' hoặc ')}`);

const durationHours = z.coerce.number().positive().max(24 * 30);

export const environmentSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Hạn Chót <han-chot@example.org>'),
  PORT: z.coerce.number({ error: 'cần một số' }).int('cần số nguyên').min(0, 'từ 0 đến 65535').max(65535, 'từ 0 đến 65535').default(3000),
  PUBLIC_URL: url(['http:', 'https:']).default('http://localhost:3000'),
  HOST: z.string().min(1).default('127.0.0.1'),
  HANCHOT_SECRET: z.string().min(16, 'tối thiểu 16 ký tự').optional(),
  /** Behind a reverse proxy: its addresses or networks, trusted for X-Forwarded-For; unset: none. */
  HANCHOT_TRUST_PROXY: z.string().regex(/^[0-9a-fA-F:.,/ ]+$/, 'danh sách địa chỉ hoặc mạng của proxy, ví dụ 127.0.0.1,10.0.0.0/8').optional(),
  HANCHOT_ADMIN_TOKEN: z.string().min(24, 'tối thiểu 24 ký tự').optional(),
  HANCHOT_DATA_DIR: z.string().min(1).default('./data'),
  TZ_BUSINESS: z.string().default('Asia/Ho_Chi_Minh'),
  HANCHOT_CONFIG_DIR: z.string().optional(),
  HANCHOT_HORIZON_DAYS: z.coerce.number().int().min(1).max(400).default(35),
  HANCHOT_CATCH_UP_HOURS: durationHours.default(24),
  HANCHOT_PLANNER_EVERY_MINUTES: z.coerce.number().positive().max(24 * 60).default(5),
  HANCHOT_QUIET_START: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM').default('07:00'),
  HANCHOT_QUIET_END: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM').default('21:00'),
  HANCHOT_DIGEST_SETTLE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  HANCHOT_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  HANCHOT_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'chữ, số, _ hoặc -').default('bull'),
  // Zalo: all three of app id, secret and refresh token, or the channel stays off.
  ZALO_APP_ID: z.string().min(1).optional(),
  ZALO_APP_SECRET: z.string().min(1).optional(),
  ZALO_REFRESH_TOKEN: z.string().min(1).optional(),
  ZALO_ZNS_TEMPLATE_REMINDER: z.string().min(1).optional(),
  ZALO_ZNS_TEMPLATE_DUE_TODAY: z.string().min(1).optional(),
  ZALO_ZNS_TEMPLATE_OVERDUE: z.string().min(1).optional(),
  ZALO_ZNS_TEMPLATE_ESCALATION: z.string().min(1).optional(),
  ZALO_OA_BASE_URL: url(['http:', 'https:']).default('https://openapi.zalo.me'),
  ZALO_ZNS_BASE_URL: url(['http:', 'https:']).default('https://business.openapi.zalo.me'),
  ZALO_OAUTH_BASE_URL: url(['http:', 'https:']).default('https://oauth.zaloapp.com'),
  ZALO_ZNS_DEVELOPMENT: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  ZALO_QUOTA_WARN_BELOW: z.coerce.number().int().min(0).default(500),
  ZALO_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(15_000),
  /** Demos and tests only: the service's clock starts at this instant (ISO 8601 with offset) and runs on. */
  HANCHOT_NOW: z.string().refine((v) => !Number.isNaN(Date.parse(v)) && /T\d\d:\d\d/.test(v), 'cần thời điểm ISO 8601, ví dụ 2027-11-02T08:00:00+07:00').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Environment = Readonly<z.infer<typeof environmentSchema>>;

export class EnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cấu hình môi trường có ${problems.length} lỗi:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** Reads `.env` (if present; real variables win) and validates. The only reader of process.env. */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env, dotenvPath = '.env'): Environment {
  const fromFile = existsSync(dotenvPath) ? parseEnv(readFileSync(dotenvPath, 'utf8')) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') merged[k] = v;
  const result = environmentSchema.safeParse(merged);
  if (!result.success) {
    throw new EnvironmentError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return Object.freeze(result.data);
}
