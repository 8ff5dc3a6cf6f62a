import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';

const CLI = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/src/main/cli.js');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `hanchot-signal-${randomBytes(4).toString('hex')}`;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hanchot-signal-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('hanchot start and SIGTERM', () => {
  it('a SIGTERM sent as soon as the banner\'s first line appears, and again, drains and exits 0', async () => {
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', HANCHOT_DATA_DIR: dataDir, REDIS_URL, HANCHOT_QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let signalled = false;
    let again = false;
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      // The banner's first line tells a supervisor the service is up: stop it at once, while the
      // rest of the banner (the next reminders, read from the record) is still being written.
      if (!signalled && out.includes('Hạn Chót đang chạy')) {
        signalled = true;
        child.kill('SIGTERM');
      }
      // Again while it stops, as a Ctrl-C under npx arrives twice (the terminal's and npx's forwarded one).
      if (!again && out.includes('Nhận SIGTERM: đang dừng')) {
        again = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
    expect(signalled).toBe(true);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(out).toContain('Nhận SIGTERM: đang dừng');
    expect(out).toContain('Nhận SIGTERM: vẫn đang dừng');
    expect(out).toContain('Đã dừng.');
  }, 60_000);
});
