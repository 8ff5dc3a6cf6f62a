import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';

export class RedisUnavailable extends Error {}

/** Whether a Redis server answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

export interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A redis-server of our own, on loopback, with its data (AOF on) under `dir`: the demo needs
 * nothing installed but the binary. Stopped with the service.
 */
export async function startPrivateRedis(dir: string, binary = 'redis-server'): Promise<PrivateRedis> {
  const dataDir = resolve(dir);
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', '--hz', '100', '--protected-mode', 'yes'];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<Error>((done) => {
    child.once('error', (e) => done(e));
    child.once('exit', (code) => done(new Error(`redis-server exited with code ${code}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const started = (async () => {
    for (let i = 0; i < 50; i++) {
      if (await redisAnswers(url, 500)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  })();
  const outcome = await Promise.race([started, exited]);
  if (outcome !== true) {
    child.kill('SIGKILL');
    const e = outcome instanceof Error ? outcome : new Error('redis-server did not answer');
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RedisUnavailable(
        'không có Redis: REDIS_URL chưa đặt, 127.0.0.1:6379 không trả lời và không tìm thấy redis-server. ' +
          'Cài Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) hoặc đặt REDIS_URL.',
      );
    }
    throw new RedisUnavailable(`không khởi động được redis-server riêng: ${e.message}`);
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Production settings DESIGN §6 asks for; returns what is off, to be warned about at start. */
export async function checkRedisSettings(url: string): Promise<string[]> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const get = async (name: string) => ((await client.config('GET', name)) as string[])[1] ?? '';
    const problems: string[] = [];
    if ((await get('appendonly')) !== 'yes') problems.push('appendonly không bật (AOF): mất Redis là mất các hẹn giờ trong lúc chờ lập lại');
    if ((await get('maxmemory-policy')) !== 'noeviction') problems.push('maxmemory-policy nên là noeviction: Redis có thể xóa hẹn giờ khi đầy bộ nhớ');
    return problems;
  } catch (e) {
    return [`không đọc được cấu hình Redis (CONFIG GET): ${(e as Error).message}`];
  } finally {
    client.disconnect();
  }
}
