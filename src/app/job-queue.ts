import type { DateTime } from 'luxon';
import type { EscalationNotice } from './stores.js';

/** Payloads carry ids only: the handler re-reads the record when it runs (DESIGN §4). */
export interface FireStepPayload {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly step: string;
  /** The obligation's revision when planned: a timer of an older revision is stale. */
  readonly revision: number;
}

export interface DeliverPayload {
  /** Every delivery with this message key goes out as one message. */
  readonly messageKey: string;
  /** The delivery this job was created for; it claims the message's deliveries under this name. */
  readonly idempotencyKey: string;
  /** An admin's "send now": quiet hours do not apply. */
  readonly urgent: boolean;
  /**
   * The name this job claims under, when not `idempotencyKey`: a job that takes over a crashed
   * worker's stale claim has its own, so the crashed job, if it ever ran again, could not claim too.
   */
  readonly claimer?: string;
}

export interface PlanPayload {
  /** Empty: every obligation. */
  readonly obligationIds: readonly string[];
}

export interface TimedJob<P> {
  readonly jobId: string;
  readonly payload: P;
  readonly at: DateTime;
}

/**
 * One escalation notice for every unit of an occurrence still overdue on the same due: obligation ·
 * occurrence · level · repeat · due. One timer however many units (as reminders: one per step), so
 * Redis holds as many escalation timers for 130,000 units as for one.
 */
export type EscalatePayload = EscalationNotice;

/** The weekly leadership digest of one date. */
export interface DigestPayload {
  readonly runOn: string;
}

/** The timers and work in flight (BullMQ on Redis). Adding a job id that exists is a no-op. */
export interface JobQueue {
  scheduleFires(jobs: readonly TimedJob<FireStepPayload>[]): Promise<void>;
  removeFires(jobIds: readonly string[]): Promise<void>;
  scheduleEscalations(jobs: readonly TimedJob<EscalatePayload>[]): Promise<void>;
  removeEscalations(jobIds: readonly string[]): Promise<void>;
  scheduleDigests(jobs: readonly TimedJob<DigestPayload>[]): Promise<void>;
  enqueueDeliveries(jobs: readonly TimedJob<DeliverPayload>[]): Promise<void>;
  requestPlan(payload: PlanPayload): Promise<void>;
}

/** Job ids are deterministic; BullMQ refuses ':' in them, so parts are joined with '|'. */
export const fireJobId = (p: FireStepPayload): string => ['fire', p.obligationId, p.occurrenceKey, p.step, `r${p.revision}`].join('|');

export const escalationJobId = (p: Pick<EscalatePayload, 'obligationId' | 'occurrenceKey' | 'level' | 'repeat' | 'due'>): string =>
  ['esc', p.obligationId, p.occurrenceKey, `L${p.level}`, `R${p.repeat}`, p.due].join('|');

export const digestJobId = (p: DigestPayload): string => ['digest', p.runOn].join('|');
