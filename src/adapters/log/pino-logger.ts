import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../../app/ports.js';

/**
 * JSON logs (pretty on a terminal). Secrets and people's addresses are redacted: logs are
 * read by more people than the contact list is.
 */
export function createLogger(options: { level?: string; pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const redact = {
    paths: [
      ...['password', 'passwordHash', 'secret', 'token', 'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'sessionId', 'csrfToken', 'authorization', 'cookie'],
      ...['email', 'phone', 'recipient', 'smtpUrl', 'databaseUrl', 'redisUrl', 'HANCHOT_SECRET', 'HANCHOT_ADMIN_TOKEN', 'ZALO_APP_SECRET', 'ZALO_REFRESH_TOKEN'],
    ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
    censor: '[redacted]',
  };
  if (options.destination) return pino({ level: options.level ?? 'info', redact }, options.destination) as unknown as Logger;
  if (options.pretty) {
    return pino({ level: options.level ?? 'info', redact, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', destination: 2 } } }) as unknown as Logger;
  }
  return pino({ level: options.level ?? 'info', redact }, pino.destination(2)) as unknown as Logger;
}

/** Credentials removed from a URL before it is shown or logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = u.username ? '***' : '';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}
