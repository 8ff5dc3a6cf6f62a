import type { DeliverPayload, FireStepPayload, JobQueue, PlanPayload, TimedJob } from '../../src/app/job-queue.js';

/** A JobQueue that only remembers: for use-case tests that are not about BullMQ itself. */
export class RecordingQueue implements JobQueue {
  readonly fires = new Map<string, TimedJob<FireStepPayload>>();
  readonly removed: string[] = [];
  readonly deliveries = new Map<string, TimedJob<DeliverPayload>>();
  readonly plans: PlanPayload[] = [];

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
  async requestPlan(payload: PlanPayload): Promise<void> {
    this.plans.push(payload);
  }
}
