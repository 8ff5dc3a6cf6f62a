// In the integration project: pino stamps each line with the real clock, which unit tests forbid.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../src/adapters/log/pino-logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

describe('logs never carry secrets or people\'s addresses', () => {
  const secrets = {
    password: 'mật khẩu bí mật',
    token: 'hct_secret-token-value',
    accessToken: 'zalo-access-secret',
    refreshToken: 'zalo-refresh-secret',
    csrfToken: 'csrf-secret',
    sessionId: 'session-secret',
    authorization: 'Bearer admin-secret',
    cookie: 'hc_session=cookie-secret',
    email: 'chutich@example.org',
    phone: '0900000004',
    HANCHOT_SECRET: 'link-signing-secret',
    ZALO_REFRESH_TOKEN: 'zalo-seed-secret',
  };
  for (const [key, value] of Object.entries(secrets)) {
    it(`${key}: at the top, nested once and nested twice`, () => {
      const { logger, text } = capture();
      logger.info({ [key]: value, nested: { [key]: value }, deeper: { inner: { [key]: value } }, kept: 'visible' }, 'message');
      expect(text()).not.toContain(value);
      expect(text()).toContain('[redacted]');
      expect(text()).toContain('visible');
    });
  }

  it('URLs lose their credentials', () => {
    expect(redactUrl('smtps://user:mật-khẩu@smtp.example.org:465')).toBe('smtps://***:***@smtp.example.org:465');
    expect(redactUrl('postgres://hanchot:pw@db:5432/hanchot')).not.toContain('pw');
  });
});
