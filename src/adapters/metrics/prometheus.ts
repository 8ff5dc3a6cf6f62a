import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChannelName, Metrics } from '../../app/ports.js';

export interface MetricSources {
  /** Jobs per queue and state (BullMQ). */
  queueCounts(): Promise<Record<string, Record<string, number>>>;
  /** Deliveries per channel and status in the record. */
  deliveryCounts(): Promise<{ channel: string; status: string; count: number }[]>;
  /** The Zalo OA's token and quota. */
  channelHealth(): Promise<{ appId: string; status: string; accessIssuedAt?: number | null; remainingQuota: number | null }[]>;
  now(): number;
}

/**
 * The service's Prometheus metrics: process memory and CPU (prom-client's defaults), queue depths,
 * deliveries by channel and status, the firing lag, planner runs, Zalo token age and quota. Values
 * that live in Redis or PostgreSQL are read when scraped.
 */
export function createPrometheus(sources: MetricSources): { registry: Registry; metrics: Metrics } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hanchot_' });
  const lag = new Histogram({
    name: 'hanchot_firing_lag_seconds',
    help: 'Seconds from a message\'s intended instant to the provider accepting it',
    labelNames: ['channel'],
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const plannerRuns = new Counter({ name: 'hanchot_planner_runs_total', help: 'Full planner runs', registers: [registry] });
  const plannerSeconds = new Gauge({ name: 'hanchot_planner_last_run_seconds', help: 'Duration of the last full planner run', registers: [registry] });
  const planned = new Gauge({ name: 'hanchot_planned_timers', help: 'Timers the last full planner run holds within the horizon', registers: [registry] });
  new Gauge({
    name: 'hanchot_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [queue, counts] of Object.entries(await sources.queueCounts())) for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
    },
  });
  new Gauge({
    name: 'hanchot_deliveries',
    help: 'Deliveries in the record per channel and status',
    labelNames: ['channel', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await sources.deliveryCounts()) this.set({ channel: r.channel, status: r.status }, r.count);
    },
  });
  new Gauge({
    name: 'hanchot_zalo_token_age_seconds',
    help: 'Age of the Zalo OA access token (refreshed from 20 h; it lives 25 h)',
    labelNames: ['app'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const h of await sources.channelHealth()) if (h.accessIssuedAt) this.set({ app: h.appId }, (sources.now() - h.accessIssuedAt) / 1000);
    },
  });
  new Gauge({
    name: 'hanchot_zalo_zns_remaining_quota',
    help: 'ZNS messages left today, as Zalo last reported',
    labelNames: ['app'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const h of await sources.channelHealth()) if (h.remainingQuota !== null) this.set({ app: h.appId }, h.remainingQuota);
    },
  });
  new Gauge({
    name: 'hanchot_zalo_needs_consent',
    help: '1 when the OA must be consented again (every Zalo message falls back to email)',
    labelNames: ['app'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const h of await sources.channelHealth()) this.set({ app: h.appId }, h.status === 'ok' ? 0 : 1);
    },
  });
  return {
    registry,
    metrics: {
      firingLag: (seconds: number, channel: ChannelName) => lag.observe({ channel }, seconds),
      plannerRun: (seconds: number, timers: number) => {
        plannerRuns.inc();
        plannerSeconds.set(seconds);
        planned.set(timers);
      },
    },
  };
}
