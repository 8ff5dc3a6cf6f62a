import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export class LockTimeout extends Error {}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lock shared by every process on one Redis (SET NX PX). Its TTL must exceed the work it
 * guards, or two holders could overlap; release only deletes our own token.
 */
export class RedisLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hanchot:lock:',
  ) {}

  static connect(url: string): RedisLock {
    return new RedisLock(new Redis(url, { maxRetriesPerRequest: 3 }));
  }

  async withLock<T>(name: string, options: { ttlMs: number; waitMs: number }, work: () => Promise<T>): Promise<T> {
    const key = this.prefix + name;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      if ((await this.redis.set(key, token, 'PX', options.ttlMs, 'NX')) === 'OK') break;
      if (Date.now() > deadline) throw new LockTimeout(`lock ${name} still held after ${options.waitMs} ms`);
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 50)));
    }
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
