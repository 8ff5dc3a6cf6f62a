import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import type { Clock } from '../src/app/ports.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The clock of the benchmark: real speed, shifted to the morning being simulated (virtual = real + offset). */
export class ShiftedClock implements Clock {
  constructor(readonly offsetMs: number) {}
  now(): DateTime {
    return DateTime.fromMillis(Date.now() + this.offsetMs, { zone: 'utc' });
  }
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { median: mid, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, runs: s.length };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

/** A real SMTP server on loopback that accepts every message and keeps only a count and the instant of the last one. */
export interface SmtpSink {
  readonly url: string;
  readonly count: () => number;
  readonly lastAt: () => number;
  reset(): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  let count = 0;
  let lastAt = 0;
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A burst opens a pool of connections at once.
    maxClients: 1000,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'bench' });
    },
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        count++;
        lastAt = Date.now();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://bench:bench@127.0.0.1:${port}`,
    count: () => count,
    lastAt: () => lastAt,
    reset() {
      count = 0;
      lastAt = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Peak resident set of a process so far (Linux VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * CPU time of every PostgreSQL process on the machine (Linux /proc, user + system, ms) by pid: the
 * server, its background workers and every backend, whoever's. See postgresCpuSince.
 */
export function postgresCpu(): Map<string, number> {
  const byPid = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      // Fields after the command: state is field 3, utime 14 and stime 15 (man 5 proc).
      const fields = stat.slice(close + 2).split(' ');
      byPid.set(pid, (Number(fields[11]) + Number(fields[12])) * 10); // USER_HZ is 100 on Linux
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return byPid;
}

/** PostgreSQL CPU ms since a snapshot: processes still there by their growth, new ones whole (ended ones are lost). */
export function postgresCpuSince(before: Map<string, number>): number {
  let ms = 0;
  for (const [pid, now] of postgresCpu()) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** CPU time so far of the Redis server (INFO cpu, user + system, ms). */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
}

/** Samples Redis `used_memory` (the whole shared server) until stopped: the peak above the baseline. */
export function sampleRedisMemory(redis: Redis, everyMs = 200): { stop(): Promise<{ baseline: number; peak: number }> } {
  let baseline = -1;
  let peak = 0;
  let running = true;
  const read = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  const loop = (async () => {
    baseline = await read();
    peak = baseline;
    while (running) {
      peak = Math.max(peak, await read());
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { baseline, peak };
    },
  };
}

/** Bytes held by every key under a prefix (MEMORY USAGE, exact per key), and how many keys. */
export async function prefixBytes(redis: Redis, pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
    cursor = next;
    if (batch.length > 0) {
      const pipe = redis.pipeline();
      for (const k of batch) pipe.memory('USAGE', k, 'SAMPLES', '0');
      for (const [, v] of (await pipe.exec()) ?? []) bytes += Number(v ?? 0);
      keys += batch.length;
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

/** Deletes every key under a prefix (our own keys only: never FLUSHALL the shared Redis). */
export async function deletePrefix(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
    cursor = next;
    if (batch.length > 0) n += await redis.unlink(...batch);
  } while (cursor !== '0');
  return n;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null });
}
