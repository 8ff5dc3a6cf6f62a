import { describe, expect, it } from 'vitest';
import { EnvironmentError, loadEnvironment } from '../../src/main/environment.js';

describe('the environment', () => {
  it('has working defaults when nothing is set', () => {
    const env = loadEnvironment({}, '/nonexistent/.env');
    expect(env).toMatchObject({ PORT: 3000, HANCHOT_DATA_DIR: './data', TZ_BUSINESS: 'Asia/Ho_Chi_Minh', HANCHOT_HORIZON_DAYS: 35, HANCHOT_CATCH_UP_HOURS: 24 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('reports every problem together, each with its variable', () => {
    let error: unknown;
    try {
      loadEnvironment({ REDIS_URL: 'localhost:6379', PORT: '99999', SMTP_URL: 'http://mail', HANCHOT_SECRET: 'short', HANCHOT_QUIET_START: '7h' }, '/nonexistent/.env');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    const problems = (error as EnvironmentError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['HANCHOT_QUIET_START', 'HANCHOT_SECRET', 'PORT', 'REDIS_URL', 'SMTP_URL']);
    expect(problems.find((p) => p.startsWith('REDIS_URL'))).toBe('REDIS_URL: cần URL dạng redis://… hoặc rediss://…');
  });
});
