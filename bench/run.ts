/**
 * `npm run bench [-- --quick]`: the figures of issue 8, measured on this machine's Redis and
 * PostgreSQL with loopback sinks, against the bare tools in the same run. Prints a table and
 * writes bench/results.json. See bench/README.md for what each figure means.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startFakeZalo } from '../src/adapters/zalo/fake-zalo-server.js';
import type { DueRule } from '../src/domain/due-rule.js';
import { occurrencesBetween } from '../src/domain/occurrences.js';
import { loadConfig } from '../src/main/context.js';
import { deletePrefix, newRedis, percentile, spread, startSmtpSink, type Spread } from './lib.js';
import { burst, naive, newPrefix, planning, RUN_ID, SETTLE_MS, startChild, type BurstResult, type Mode, type PlanningResult } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const benchDir = join(root, 'bench');
const quick = process.argv.includes('--quick');
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(argValue('--runs') ?? 3);

const plan: { ceilingN: { bullmq: number; smtp: number; axios: number }; bursts: [number, Mode[], number][]; planningUnits: number[]; naiveUnits: number; domainObligations: number; digestUnits: number; extractMb: number } = quick
  ? // About two minutes: the ceilings three times, each burst once (n=1 in the table), a 1 s digest settle.
    { ceilingN: { bullmq: 2_000, smtp: 200, axios: 300 }, bursts: [[150, ['email', 'zalo', 'mix'], 1]], planningUnits: [200, 1_000], naiveUnits: 5_000, domainObligations: 200, digestUnits: 50, extractMb: 1 }
  : {
      ceilingN: { bullmq: 10_000, smtp: 2_000, axios: 3_000 },
      // [units, channels, runs]: the 20,000 and 130,000 bursts take minutes each on this machine.
      bursts: [
        [2_000, ['email', 'zalo', 'mix'], RUNS],
        [20_000, ['email'], Number(argValue('--large-runs') ?? 1)],
        [130_000, ['email'], Number(argValue('--national-runs') ?? 1)],
      ],
      planningUnits: [2_000, 130_000],
      naiveUnits: 130_000,
      domainObligations: 1_000,
      digestUnits: 2_000,
      extractMb: 10,
    };
const only = argValue('--only')?.split(',');
const sizes = argValue('--sizes')?.split(',').map(Number);
const modesArg = argValue('--modes')?.split(',') as Mode[] | undefined;
if (sizes) plan.bursts = sizes.map((n) => [n, modesArg ?? ['email', 'zalo', 'mix'], Number(argValue('--burst-runs') ?? RUNS)]);
const want = (s: string) => !only || only.includes(s);

const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const fmtS = (s: Spread, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)}, n=${s.runs})`;

async function main() {
  const started = Date.now();
  const loaded = await loadConfig(join(root, 'config'));
  const redis = newRedis();
  const smtp = await startSmtpSink();
  const results: Record<string, unknown> = {
    runId: RUN_ID,
    quick,
    startedAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, ramGb: Math.round(totalmem() / 2 ** 30), node: process.version, redis: /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] },
  };
  const table: string[][] = [];
  const row = (...cells: string[]) => table.push(cells);
  const file = argValue('--out') ? join(benchDir, argValue('--out')!) : join(benchDir, quick ? 'results.quick.json' : 'results.json');
  // Written after every scenario too: a run stopped halfway keeps what it measured.
  const save = () => writeFileSync(file, `${JSON.stringify({ ...results, table: render(table) }, null, 2)}\n`);

  try {
    // 1. Ceilings, three times each, interleaved so that a noisy minute hits all three.
    let ceilings: Record<'bullmq' | 'smtp' | 'axios', Spread> | undefined;
    if (want('ceilings') || want('burst')) {
      const raw = { bullmq: [] as number[], smtp: [] as number[], axios: [] as number[] };
      const cpu = { bullmq: [] as number[], smtp: [] as number[], axios: [] as number[] };
      // The sinks run in this process, which otherwise only waits: its CPU over a ceiling run is the sink's.
      const sinkCpu = { smtp: [] as number[], axios: [] as number[] };
      const ownCpuMs = (since: NodeJS.CpuUsage) => {
        const u = process.cpuUsage(since);
        return (u.user + u.system) / 1000;
      };
      for (let r = 0; r < RUNS; r++) {
        const prefix = newPrefix();
        const b = await startChild('ceiling-bullmq', { BENCH_N: String(plan.ceilingN.bullmq), BENCH_PREFIX: prefix }, 'ceiling-bullmq');
        raw.bullmq.push(b.first.perSecond);
        cpu.bullmq.push(b.first.cpuPerMessageMs);
        await deletePrefix(redis, `${prefix}:*`);
        smtp.reset();
        const smtpCpu = process.cpuUsage();
        const s = await startChild('ceiling-smtp', { BENCH_N: String(plan.ceilingN.smtp), SMTP_URL: smtp.url }, 'ceiling-smtp');
        sinkCpu.smtp.push(ownCpuMs(smtpCpu) / plan.ceilingN.smtp);
        if (smtp.count() < plan.ceilingN.smtp) throw new Error(`SMTP ceiling: the sink got ${smtp.count()} of ${plan.ceilingN.smtp}`);
        raw.smtp.push(s.first.perSecond);
        cpu.smtp.push(s.first.cpuPerMessageMs);
        const zalo = await startFakeZalo({ appId: 'a', secretKey: 's', refreshToken: 'r', accessToken: 'at-bench', dailyQuota: 1e9 });
        const drain = setInterval(() => (zalo.requests.splice(0), zalo.state.sent.splice(0)), 100);
        const zaloCpu = process.cpuUsage();
        const a = await startChild('ceiling-axios', { BENCH_N: String(plan.ceilingN.axios), ZALO_ZNS_BASE_URL: zalo.url, BENCH_ACCESS_TOKEN: 'at-bench' }, 'ceiling-axios');
        sinkCpu.axios.push(ownCpuMs(zaloCpu) / plan.ceilingN.axios);
        clearInterval(drain);
        await zalo.close();
        if (a.first.ok !== plan.ceilingN.axios) throw new Error(`axios ceiling: ${a.first.ok} of ${plan.ceilingN.axios} accepted`);
        raw.axios.push(a.first.perSecond);
        cpu.axios.push(a.first.cpuPerMessageMs);
        log(`ceilings run ${r + 1}: bullmq ${fmt(b.first.perSecond)}/s, nodemailer ${fmt(s.first.perSecond)}/s, axios ${fmt(a.first.perSecond)}/s`);
      }
      ceilings = { bullmq: spread(raw.bullmq), smtp: spread(raw.smtp), axios: spread(raw.axios) };
      const ceilingCpu = { bullmq: spread(cpu.bullmq), smtp: spread(cpu.smtp), axios: spread(cpu.axios) };
      const sinks = { smtp: spread(sinkCpu.smtp), axios: spread(sinkCpu.axios) };
      results.ceilings = { ...ceilings, n: plan.ceilingN, cpuPerMessageMs: ceilingCpu, sinkCpuPerMessageMs: sinks };
      save();
      row('1. Ceiling', 'bare BullMQ no-op jobs/s (1 Worker, concurrency 50)', fmtS(ceilings.bullmq), `client CPU ${fmt(ceilingCpu.bullmq.median, 2)} ms/job`);
      row('1. Ceiling', 'bare nodemailer pool → SMTP sink msgs/s (10 connections)', fmtS(ceilings.smtp), `CPU ms/msg: client ${fmt(ceilingCpu.smtp.median, 2)}, sink ${fmt(sinks.smtp.median, 2)}`);
      row('1. Ceiling', 'bare axios keep-alive → fake Zalo req/s (50 in flight)', fmtS(ceilings.axios), `CPU ms/req: client ${fmt(ceilingCpu.axios.median, 2)}, sink ${fmt(sinks.axios.median, 2)}`);
    }

    // 2. Bursts.
    if (want('burst') && ceilings) {
      const bursts: Record<string, unknown>[] = [];
      const lags: number[] = [];
      const timerLags: number[] = [];
      for (const [units, modes, runsHere] of plan.bursts) {
        for (const mode of runsHere > 0 ? modes : []) {
          const runs: BurstResult[] = [];
          for (let r = 0; r < runsHere; r++) {
            const b = await burst(loaded, { smtp }, redis, units, mode, 1, Math.max(15 * 60_000, units * 30));
            if (b.messages !== units || b.sentRows !== units) throw new Error(`burst ${units} ${mode}: ${b.messages} messages, ${b.sentRows} rows sent, expected ${units}`);
            runs.push(b);
            // A timer the replan added after its instant measures the bench's own lateness, not the service's.
            if (!b.lateTimer) {
              lags.push(b.firingLagSeconds);
              timerLags.push(b.timerLagSeconds);
            }
            log(
              `burst ${units} ${mode} run ${r + 1}: fire→last ${fmt(b.fireToLastSeconds, 1)} s, ${fmt(b.perSecond)}/s, timer lag ${fmt(b.timerLagSeconds, 2)} s, first send ${fmt(b.firingLagSeconds, 2)} s after fire+settle, RSS ${fmt(b.peakRssMb)} MB, CPU ms/msg: service ${fmt(b.cpuPerMessageMs, 2)}, sink ${fmt(b.otherCpuPerMessageMs.sink, 2)}, PostgreSQL ${fmt(b.otherCpuPerMessageMs.postgres, 2)}, Redis ${fmt(b.otherCpuPerMessageMs.redis, 2)}, Redis +${fmt(b.redisPeakMb, 1)} MB, plan ${fmt(b.planSeconds, 1)} s${b.lateTimer ? ' (timer added late)' : ''}`,
            );
          }
          const ceiling = mode === 'email' ? ceilings.smtp.median : mode === 'zalo' ? ceilings.axios.median : (ceilings.smtp.median + ceilings.axios.median) / 2;
          const rate = spread(runs.map((r) => r.perSecond));
          const summary = {
            units,
            mode,
            runs: runs.length,
            fireToLastSeconds: spread(runs.map((r) => r.fireToLastSeconds)),
            perSecond: rate,
            ofCeiling: rate.median / ceiling,
            timerLagSeconds: spread(runs.map((r) => r.timerLagSeconds)),
            firingLagSeconds: spread(runs.map((r) => r.firingLagSeconds)),
            peakRssMb: spread(runs.map((r) => r.peakRssMb)),
            redisPeakMb: spread(runs.map((r) => r.redisPeakMb)),
            planSeconds: spread(runs.map((r) => r.planSeconds)),
            cpuPerMessageMs: spread(runs.map((r) => r.cpuPerMessageMs)),
            otherCpuPerMessageMs: {
              sink: spread(runs.map((r) => r.otherCpuPerMessageMs.sink)),
              postgres: spread(runs.map((r) => r.otherCpuPerMessageMs.postgres)),
              redis: spread(runs.map((r) => r.otherCpuPerMessageMs.redis)),
            },
          };
          bursts.push(summary);
          const target = mode === 'email' ? 0.6 : mode === 'zalo' ? 0.5 : NaN;
          row(
            `2. Burst ${fmt(units)} ${mode}`,
            'fire → last accepted (s) · msgs/s · % of ceiling',
            `${fmtS(summary.fireToLastSeconds, 1)} · ${fmtS(rate)} · ${fmt(summary.ofCeiling * 100)}%`,
            Number.isFinite(target) ? `≥ ${target * 100}% ${summary.ofCeiling >= target ? 'MET' : 'MISSED'}` + (units >= 100_000 && mode === 'email' ? `; < 180 s ${summary.fireToLastSeconds.max < 180 ? 'MET' : 'MISSED'}` : '') : '',
          );
          row('', 'peak RSS of the service (MB) · Redis peak above baseline (MB)', `${fmtS(summary.peakRssMb)} · ${fmtS(summary.redisPeakMb, 1)}`, `RSS < 512 ${summary.peakRssMb.max < 512 ? 'MET' : 'MISSED'}`);
          const others = summary.otherCpuPerMessageMs;
          row(
            '',
            'CPU per message (ms): service · sink · PostgreSQL · Redis',
            `${fmtS(summary.cpuPerMessageMs, 2)} · ${fmt(others.sink.median, 2)} · ${fmt(others.postgres.median, 2)} · ${fmt(others.redis.median, 2)}`,
            '',
          );
        }
      }
      if (!quick && !plan.bursts.some(([u, , n]) => u >= 100_000 && n > 0)) {
        // The national burst takes half an hour here: measured in its own run (with its own ceilings).
        const nationalFile = join(benchDir, 'results.national.json');
        if (existsSync(nationalFile)) {
          const national = JSON.parse(readFileSync(nationalFile, 'utf8')) as { startedAt: string; ceilings: { smtp: Spread }; bursts: (typeof bursts)[number][] };
          for (const b of national.bursts as any[]) {
            bursts.push({ ...b, separateRun: national.startedAt });
            row(
              `2. Burst ${fmt(b.units)} ${b.mode}*`,
              'fire → last accepted (s) · msgs/s · % of ceiling',
              `${fmtS(b.fireToLastSeconds, 1)} · ${fmtS(b.perSecond)} · ${fmt(b.ofCeiling * 100)}%`,
              `≥ 60% ${b.ofCeiling >= 0.6 ? 'MET' : 'MISSED'}; < 180 s ${b.fireToLastSeconds.max < 180 ? 'MET' : 'MISSED'}`,
            );
            row('', 'peak RSS of the service (MB) · Redis peak above baseline (MB)', `${fmtS(b.peakRssMb)} · ${fmtS(b.redisPeakMb, 1)}`, `RSS < 512 ${b.peakRssMb.max < 512 ? 'MET' : 'MISSED'}`);
            row('', 'service CPU per message (ms) · firing lag (s)', `${fmtS(b.cpuPerMessageMs, 2)} · ${fmtS(b.firingLagSeconds, 2)}`, `* separate run ${national.startedAt.slice(0, 16)}Z, its own ceiling ${fmt(national.ceilings.smtp.median)}/s`);
          }
        }
      }
      const lag = { p50: percentile(lags, 50), p99: percentile(lags, 99), samples: lags.length, timerP50: percentile(timerLags, 50), timerP99: percentile(timerLags, 99) };
      results.bursts = bursts;
      results.firingLag = { ...lag, settleMs: SETTLE_MS, definition: 'first message started − (fire instant + digest settle), one sample per burst run' };
      save();
      row('2. Firing lag', `fire+settle(${SETTLE_MS / 1000} s) → first message started, p50 / p99 (s), ${lags.length} bursts`, `${fmt(lag.p50, 2)} / ${fmt(lag.p99, 2)}`, `p99 ≤ 1 s ${lag.p99 <= 1 ? 'MET' : 'MISSED'}`);
      row('', 'timer: fire instant → fan-out started, p50 / p99 (s)', `${fmt(lag.timerP50, 2)} / ${fmt(lag.timerP99, 2)}`, '');
    }

    // 3. Planning.
    if (want('planning')) {
      const domain = domainOccurrences(loaded.calendar, plan.domainObligations);
      results.domain = domain;
      row('3. Planning', `pure domain: ${fmt(plan.domainObligations)} obligations × 10 years, occurrences/s`, `${fmtS(domain.perSecond)} (${fmt(domain.occurrences)} occurrences)`, '');
      const plans: PlanningResult[] = [];
      for (const units of plan.planningUnits) {
        const p = await planning(loaded, redis, units, true);
        plans.push(p);
        log(`planning ${units}: ${fmt(p.seconds, 1)} s, ${p.steps} steps, ${fmt(p.bytesPerStep)} B/step, all keys ${fmt(p.redisBytes)} B${p.escalation ? `, escalation ${p.escalation.timers} timers ${fmt(p.escalation.bytesPerTimer)} B each` : ''}`);
        row('3. Planning', `full planner run, 35-day horizon, ${fmt(units)} units × 5 obligations (s)`, fmt(p.seconds, 1), '');
        row('', `Redis: reminder timers · bytes per planned step · all our keys`, `${p.steps} · ${fmt(p.bytesPerStep)} B · ${fmt(p.redisBytes / 1024, 1)} KiB`, '');
        if (p.escalation) {
          const first = plans.length > 1 ? plans[0]!.escalation : undefined;
          const constant = first ? (first.timers === p.escalation.timers ? `timers as at ${fmt(plans[0]!.units)} units: constant` : `${fmt(first.timers)} at ${fmt(plans[0]!.units)} units: GROWS`) : '';
          row('', `escalation a week after dues (default policy): timers · bytes each · planner run (s) · notice rows in PostgreSQL`, `${fmt(p.escalation.timers)} · ${fmt(p.escalation.bytesPerTimer)} B · ${fmt(p.escalation.seconds, 1)} · ${fmt(p.escalation.rows)}`, constant);
          const f = p.escalation.fired;
          if (f) row('', `one notice fired over every overdue unit: units · deliveries queued · seconds · units/s`, `${fmt(f.units)} · ${fmt(f.deliveries)} · ${fmt(f.seconds, 1)} · ${fmt(f.units / Math.max(f.seconds, 1e-3))}`, '');
        }
      }
      results.planning = plans;
      save();
    }

    // 4. Digest grouping: 20 obligations due the same morning.
    if (want('digest')) {
      const d = await burst(loaded, { smtp }, redis, plan.digestUnits, 'email', 20);
      const ok = d.messages === plan.digestUnits && d.deliveries === plan.digestUnits * 20 && d.sentRows === d.deliveries;
      results.digest = { units: plan.digestUnits, obligations: 20, contacts: plan.digestUnits, deliveries: d.deliveries, sentRows: d.sentRows, messages: d.messages, ok, fireToLastSeconds: d.fireToLastSeconds };
      log(`digest: ${d.messages} messages for ${plan.digestUnits} contacts, ${d.deliveries} deliveries (${d.sentRows} sent)`);
      row('4. Digest', `20 obligations × ${fmt(plan.digestUnits)} units: messages · deliveries`, `${fmt(d.messages)} · ${fmt(d.deliveries)}`, `messages = contacts ${ok ? 'MET' : 'MISSED'}`);
      save();
      if (!ok) throw new Error(`digest grouping: ${d.messages} messages for ${plan.digestUnits} contacts (${d.deliveries} deliveries, ${d.sentRows} sent)`);
    }

    // 5. Extraction.
    if (want('extract')) {
      const e = await extraction(plan.extractMb);
      results.extraction = e;
      save();
      if ('unavailable' in e) row('5. Extraction', 'extractDirective MB/s', 'not yet available', e.unavailable);
      else {
        row('5. Extraction', `extractDirective on the seed directives repeated to ${plan.extractMb} MB (MB/s)`, fmtS(e.seeds, 2), '');
        for (const a of e.adversarial) row('', `adversarial: ${a.name} (${fmt(a.kb)} KB)`, a.error ?? `${fmt(a.mbPerSecond, 2)} MB/s`, a.growth ? `time ×${fmt(a.growth, 1)} for ×2 input` : '');
      }
    }

    // 6. Naive comparison.
    if (want('naive')) {
      const nv = await naive(redis, plan.naiveUnits);
      const ours = (results.planning as PlanningResult[] | undefined)?.at(-1);
      const ourBurst = (results.bursts as { units: number; planSeconds: Spread }[] | undefined)?.find((b) => b.units === plan.naiveUnits && b.planSeconds);
      results.naive = { ...nv, ours: { planSeconds: ourBurst?.planSeconds.median, timerBytes: ours?.bytesPerStep } };
      log(`naive ${nv.units}: ${fmt(nv.seconds, 1)} s to add the jobs, ${fmt(nv.redisBytes / 1048576, 1)} MB in Redis (${nv.keys} keys)`);
      row('6. Naive', `${fmt(nv.units)} delayed jobs (one per unit, one step): Redis · time to add them`, `${fmt(nv.redisBytes / 1048576, 1)} MB · ${fmt(nv.seconds, 1)} s`, '');
      row('', 'ours for the same burst: Redis for its timer · whole planner run', `${fmt(ours?.bytesPerStep ?? NaN)} B · ${fmt(ourBurst?.planSeconds.median ?? NaN, 1)} s (incl. ${fmt(nv.units)} assignments in PostgreSQL)`, '');
    }
  } finally {
    await smtp.close();
    redis.disconnect();
  }

  results.seconds = (Date.now() - started) / 1000;
  const out = render(table);
  process.stdout.write(`\n${out}\n\n${quick ? 'quick run' : 'full run'} in ${fmt(results.seconds as number)} s\n`);
  save();
  log(`written ${file}`);
}

function render(table: string[][]): string {
  const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...table.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' │ ');
  return [line(['scenario', 'figure', 'median (min–max, runs)', 'target']), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...table.map(line)].join('\n');
}

// ── 3. the pure domain ─────────────────────────────────────────────────────

function domainOccurrences(calendar: Parameters<typeof occurrencesBetween>[3], count: number): { occurrences: number; perSecond: Spread } {
  const kinds: ((i: number) => DueRule)[] = [
    (i) => ({ kind: 'yearly', month: 1 + (i % 12), day: 1 + (i % 28) }),
    (i) => ({ kind: 'monthly', day: i % 5 === 0 ? 'last' : 1 + (i % 28) }),
    (i) => ({ kind: 'quarterly', monthOfQuarter: 1 + (i % 3), day: i % 4 === 0 ? 'last' : 1 + (i % 28) }),
    (i) => ({ kind: 'semiannual', dates: [{ month: 6, day: 1 + (i % 28) }, { month: 12, day: 1 + (i % 28) }] }),
    (i) => ({ kind: 'once', date: `20${22 + (i % 8)}-0${1 + (i % 9)}-1${i % 10}`, bound: 'no_later_than' }),
    (i) => ({ kind: 'relative', anchor: 'tet_nguyen_dan', offsetDays: -(i % 30) }),
    (i) => ({ kind: 'rrule', rrule: `FREQ=MONTHLY;BYMONTHDAY=${1 + (i % 28)}`, start: '2020-01-01' }),
    (i) => ({ kind: 'period', window: { unit: 'quarter', year: 2020 + (i % 10), quarter: 1 + (i % 4) } }),
  ];
  const rules = Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!(i) as DueRule);
  const rates: number[] = [];
  let occurrences = 0;
  // One unmeasured pass first: the JIT, and the calendar's per-year caches.
  for (const rule of rules) occurrencesBetween(rule, '2020-01-01', '2029-12-31', calendar, { roll: 'next_working_day' });
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    occurrences = 0;
    for (const rule of rules) occurrences += occurrencesBetween(rule, '2020-01-01', '2029-12-31', calendar, { roll: 'next_working_day' }).length;
    rates.push(occurrences / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  return { occurrences, perSecond: spread(rates) };
}

// ── 5. extraction ──────────────────────────────────────────────────────────

type Extraction = { unavailable: string } | { seeds: Spread; adversarial: { name: string; kb: number; mbPerSecond: number; growth?: number; error?: string }[] };

async function extraction(mb: number): Promise<Extraction> {
  const module = join(root, 'dist', 'src', 'domain', 'extract', 'index.js');
  if (!existsSync(module)) return { unavailable: 'src/domain/extract/index.ts is not there yet' };
  const seedsDir = join(root, 'test', 'fixtures', 'seeds');
  const seeds = readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(seedsDir, f), 'utf8'));
  const k = quick ? 0.25 : 1;
  const adversarial = [
    { name: 'one line of "ngày 31/12/2023 " repeated', text: 'trước ngày 31/12/2023 '.repeat(20_000 * k) },
    { name: 'digits and slashes without spaces', text: '1/2/3/4/5/6/7/8/9/'.repeat(30_000 * k) },
    { name: '"chậm nhất" chains, no dates', text: 'chậm nhất trước khi hoặc khi có phát sinh trong '.repeat(10_000 * k) },
    { name: 'deep parentheses', text: '('.repeat(100_000 * k) + ')'.repeat(100_000 * k) },
    { name: 'one 500 KB word', text: 'đ'.repeat(250_000 * k) },
  ];
  // In a worker, so that a pathological input is stopped after 30 s instead of hanging the run.
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.module).then((m) => {
      const extract = m.extractDirective;
      const out = { seeds: [], adversarial: [] };
      const target = workerData.mb * 1048576;
      for (let r = 0; r < workerData.runs; r++) {
        let bytes = 0; const t = process.hrtime.bigint();
        for (let i = 0; bytes < target; i++) { const s = workerData.seeds[i % workerData.seeds.length]; extract(s, { issuedOn: '2023-05-01' }); bytes += Buffer.byteLength(s); }
        out.seeds.push(bytes / 1048576 / (Number(process.hrtime.bigint() - t) / 1e9));
      }
      for (const a of workerData.adversarial) {
        // Half the input first: the time ratio full/half is ~2 when the extractor is linear.
        const time = (text) => { const t = process.hrtime.bigint(); extract(text, { issuedOn: '2023-05-01' }); return Number(process.hrtime.bigint() - t) / 1e9; };
        let error, half = NaN, full = NaN;
        try { half = time(a.text.slice(0, a.text.length / 2)); full = time(a.text); } catch (e) { error = 'threw: ' + (e && e.message || e); }
        const kb = Buffer.byteLength(a.text) / 1024;
        out.adversarial.push({ name: a.name, kb, mbPerSecond: kb / 1024 / full, growth: full / half, error });
        parentPort.postMessage({ partial: out.adversarial.at(-1) });
      }
      parentPort.postMessage({ done: out });
    }, (e) => parentPort.postMessage({ failed: String(e && e.stack || e) }));`;
  return new Promise((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: { module: pathToFileURL(module).href, mb, runs: RUNS, seeds, adversarial } });
    const partial: { name: string; kb: number; mbPerSecond: number; growth?: number; error?: string }[] = [];
    const timer = setTimeout(() => {
      void worker.terminate();
      const left = adversarial.slice(partial.length).map((a) => ({ name: a.name, kb: a.text.length / 1024, mbPerSecond: NaN, error: 'stopped after 60 s' }));
      resolve({ seeds: spread([]), adversarial: [...partial, ...left] });
    }, 60_000 + mb * 10_000);
    worker.on('message', (m) => {
      if (m.partial) partial.push(m.partial);
      if (m.failed) {
        clearTimeout(timer);
        resolve({ unavailable: `the extractor did not load: ${m.failed.split('\n')[0]}` });
        void worker.terminate();
      }
      if (m.done) {
        clearTimeout(timer);
        resolve({ seeds: spread(m.done.seeds), adversarial: m.done.adversarial });
        void worker.terminate();
      }
    });
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
