/**
 * The processes the benchmark measures, each in its own Node process (as in production, where the
 * service never shares its event loop with the SMTP server or Zalo): BENCH_MODE is
 *  - `service`: the real service (`startService`, role `worker`, wired exactly as `hanchot worker`)
 *    on a clock shifted to the simulated morning; reports when each channel started its first send;
 *  - `ceiling-bullmq`, `ceiling-smtp`, `ceiling-axios`: the bare tools, no application code.
 */
import { Agent } from 'node:http';
import axios from 'axios';
import { Queue, Worker } from 'bullmq';
import nodemailer from 'nodemailer';
import { createLogger } from '../src/adapters/log/pino-logger.js';
import { loadEnvironment } from '../src/main/environment.js';
import { redisConnection, startService } from '../src/main/service.js';
import { REDIS_URL, ShiftedClock } from './lib.js';

const send = (m: unknown) => new Promise<void>((r) => process.send!(m, () => r()));
const N = Number(process.env.BENCH_N ?? 0);
/** CPU time of this process (user + system) in ms: robust where wall time is noisy (2 shared cores). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function service(): Promise<void> {
  const env = loadEnvironment(process.env, '/nonexistent/.env');
  const logger = createLogger({ level: env.LOG_LEVEL });
  const clock = new ShiftedClock(Number(process.env.BENCH_OFFSET_MS));
  const running = await startService({ env, logger, role: 'worker', queuePrefix: process.env.BENCH_PREFIX, clock });
  // Observe (not change) the channels the deliver job uses: when the first message started.
  let firstSendAt = 0;
  let sends = 0;
  for (const channel of running.channels) {
    const original = channel.send.bind(channel);
    (channel as { send: typeof channel.send }).send = (message) => {
      if (firstSendAt === 0) firstSendAt = Date.now();
      sends++;
      return original(message);
    };
  }
  process.on('message', (m: { type: string }) => {
    void (async () => {
      if (m.type === 'stats') await send({ type: 'stats', firstSendAt, sends, maxRssMb: process.resourceUsage().maxRSS / 1024, cpuMs: cpuMs() - cpuAtReady });
      if (m.type === 'stop') {
        await running.stop();
        await send({ type: 'stopped' });
        process.exit(0);
      }
    })();
  });
  const cpuAtReady = cpuMs();
  await send({ type: 'ready' });
}

/** Bare BullMQ: N no-op jobs already waiting, one Worker with concurrency 50, removeOnComplete. */
async function ceilingBullmq(): Promise<void> {
  const connection = redisConnection(REDIS_URL);
  const prefix = process.env.BENCH_PREFIX!;
  const queue = new Queue('ceiling', { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  for (let i = 0; i < N; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
  }
  let done = 0;
  const cpu0 = cpuMs();
  let finished: () => void = () => undefined;
  const all = new Promise<void>((r) => (finished = r));
  const started = Date.now();
  const worker = new Worker('ceiling', async () => undefined, { connection, prefix, concurrency: 50 });
  worker.on('completed', () => {
    if (++done === N) finished();
  });
  await all;
  const seconds = (Date.now() - started) / 1000;
  const cpuPerJob = (cpuMs() - cpu0) / N;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await send({ type: 'result', perSecond: N / seconds, seconds, cpuPerMessageMs: cpuPerJob });
}

/** A message about the size of a real reminder (text, HTML and a small .ics). */
export function sampleMail(i: number) {
  const line = 'Nhắc hạn: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU, hạn chót ngày 30/10/2027 (thứ Bảy). ';
  return {
    from: 'Hạn Chót <han-chot@example.org>',
    to: `c${i}@bench.example.org`,
    subject: `[Hạn Chót] Nhắc hạn ${i}`,
    text: line.repeat(12),
    html: `<html><body>${`<p>${line}</p>`.repeat(12)}</body></html>`,
    attachments: [{ filename: 'nhac-han.ics', content: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n' + 'X-PAD:0123456789\r\n'.repeat(20) + 'END:VCALENDAR\r\n', contentType: 'text/calendar' }],
  };
}

/** Bare nodemailer: a pool of 10 connections to the sink, every message handed to it at once. */
async function ceilingSmtp(): Promise<void> {
  const transport = nodemailer.createTransport({ url: process.env.SMTP_URL!, pool: true, maxConnections: 10, maxMessages: Infinity, logger: false });
  const started = Date.now();
  const cpu0 = cpuMs();
  // 200 in flight: the pool queues the rest; enough to keep 10 connections busy.
  let next = 0;
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      while (next < N) await transport.sendMail(sampleMail(next++));
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const cpuPerMessageMs = (cpuMs() - cpu0) / N;
  transport.close();
  await send({ type: 'result', perSecond: N / seconds, seconds, cpuPerMessageMs });
}

/** Bare axios with a keep-alive agent: 50 ZNS requests in flight to the fake Zalo. */
async function ceilingAxios(): Promise<void> {
  const http = axios.create({ httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }), validateStatus: () => true });
  const url = `${process.env.ZALO_ZNS_BASE_URL}/message/template`;
  let next = 0;
  let ok = 0;
  const started = Date.now();
  const cpu0 = cpuMs();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < N) {
        const i = next++;
        const res = await http.post(
          url,
          { phone: `849${String(10_000_000 + i).slice(-8)}`, template_id: 'bench-tpl', template_data: { name: 'Nguyễn Văn A', due: '30/10/2027' }, tracking_id: `t${i}` },
          { headers: { access_token: process.env.BENCH_ACCESS_TOKEN! } },
        );
        if (res.status === 200 && (res.data as { error?: number }).error === 0) ok++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  await send({ type: 'result', perSecond: N / seconds, seconds, ok, cpuPerMessageMs: (cpuMs() - cpu0) / N });
}

const modes: Record<string, () => Promise<void>> = { service, 'ceiling-bullmq': ceilingBullmq, 'ceiling-smtp': ceilingSmtp, 'ceiling-axios': ceilingAxios };
const mode = modes[process.env.BENCH_MODE ?? ''];
if (!mode) throw new Error(`unknown BENCH_MODE ${process.env.BENCH_MODE}`);
mode().then(
  () => {
    if (process.env.BENCH_MODE !== 'service') process.exit(0);
  },
  async (e: unknown) => {
    await send({ type: 'error', message: (e as Error).stack ?? String(e) });
    process.exit(1);
  },
);
