import type { DeliverPayload, DigestPayload, EscalatePayload, FireStepPayload, JobQueue, PlanPayload, TimedJob } from '../../src/app/job-queue.js';

/** A JobQueue that only remembers: for use-case tests that are not about BullMQ itself. */
export class RecordingQueue implements JobQueue {
  readonly fires = new Map<string, TimedJob<FireStepPayload>>();
  readonly removed: string[] = [];
  readonly deliveries = new Map<string, TimedJob<DeliverPayload>>();
  readonly plans: PlanPayload[] = [];
  readonly escalations = new Map<string, TimedJob<EscalatePayload>>();
  readonly removedEscalations: string[] = [];
  readonly digests = new Map<string, TimedJob<DigestPayload>>();

  async scheduleFires(jobs: readonly TimedJob<FireStepPayload>[]): Promise<void> {
    for (const j of jobs) if (!this.fires.has(j.jobId)) this.fires.set(j.jobId, j);
  }
  async removeFires(jobIds: readonly string[]): Promise<void> {
    for (const id of jobIds) {
      this.removed.push(id);
      this.fires.delete(id);
    }
  }
  async enqueueDeliveries(jobs: readonly TimedJob<DeliverPayload>[]): Promise<void> {
    for (const j of jobs) if (!this.deliveries.has(j.jobId)) this.deliveries.set(j.jobId, j);
  }
  async scheduleEscalations(jobs: readonly TimedJob<EscalatePayload>[]): Promise<void> {
    for (const j of jobs) if (!this.escalations.has(j.jobId)) this.escalations.set(j.jobId, j);
  }
  async removeEscalations(jobIds: readonly string[]): Promise<void> {
    for (const id of jobIds) {
      this.removedEscalations.push(id);
      this.escalations.delete(id);
    }
  }
  async scheduleDigests(jobs: readonly TimedJob<DigestPayload>[]): Promise<void> {
    for (const j of jobs) if (!this.digests.has(j.jobId)) this.digests.set(j.jobId, j);
  }
  async requestPlan(payload: PlanPayload): Promise<void> {
    this.plans.push(payload);
  }
}
