import { isIsoDate, type IsoDate } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { completionStatus, isOpen, OPEN_STATUSES, openStatus } from '../domain/escalation.js';
import { localDateOf } from '../domain/instant.js';
import type { JobQueue } from './job-queue.js';
import type { Clock, Logger } from './ports.js';
import type { AssignmentRef, AssignmentStore, AssignmentView, EscalationStore, ExtensionRequest } from './stores.js';

/**
 * Closing the loop on an assignment (one occurrence owed by one unit): completion, reopening,
 * "Đã nhận", extensions (gia hạn) and waivers (miễn). Every change is audit-logged with who and
 * when, and moves the escalation timers at once.
 */
export interface AssignmentDeps {
  readonly store: AssignmentStore & EscalationStore;
  readonly queue: Pick<JobQueue, 'requestPlan'>;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly logger?: Logger;
}

export type AssignmentErrorCode = 'not_found' | 'conflict' | 'invalid';

/** not_found → 404, conflict → 409, invalid → 400; the message says what to do. */
export class AssignmentError extends Error {
  constructor(
    readonly code: AssignmentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Outcome {
  /** False when nothing changed (completing twice is harmless). */
  readonly changed: boolean;
  readonly assignment: AssignmentView;
}

const TEXT_LIMIT = 2000;
const EVIDENCE_LIMIT = 2000;

async function load(deps: AssignmentDeps, ref: AssignmentRef): Promise<AssignmentView> {
  const view = await deps.store.assignment(ref);
  if (!view) throw new AssignmentError('not_found', `không có nhiệm vụ ${ref.obligationId}, kỳ ${ref.occurrenceKey}, đơn vị ${ref.unitId}`);
  return view;
}

function cleanText(value: string | undefined | null, field: string, limit = TEXT_LIMIT): string | null {
  const text = value?.normalize('NFC').trim() ?? '';
  if (text.length > limit) throw new AssignmentError('invalid', `${field} dài quá ${limit} ký tự`);
  return text === '' ? null : text;
}

/** Evidence is a link: only http(s), so that it is safe to show as a link in the console. */
function cleanEvidence(value: string | undefined | null): string | null {
  const text = cleanText(value, 'minh chứng', EVIDENCE_LIMIT);
  if (text === null) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AssignmentError('invalid', 'minh chứng phải là một liên kết http(s)://…');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AssignmentError('invalid', 'minh chứng phải là một liên kết http(s)://…');
  return url.toString();
}

/** Marks the assignment done: đúng hạn if on or before its effective due (local date), else trễ hạn. */
export async function completeAssignment(
  deps: AssignmentDeps,
  ref: AssignmentRef,
  input: { actor: string; note?: string | null; evidence?: string | null },
): Promise<Outcome> {
  const note = cleanText(input.note, 'ghi chú');
  const evidence = cleanEvidence(input.evidence);
  const now = deps.clock.now();
  let updated: AssignmentView | undefined;
  let status: AssignmentView['status'] = 'pending';
  // Decided against the due we read; if an extension moved it meanwhile, read again and decide again.
  for (let attempt = 0; attempt < 3 && !updated; attempt++) {
    const view = await load(deps, ref);
    if (view.status === 'done_on_time' || view.status === 'done_late') return { changed: false, assignment: view };
    if (view.status === 'waived') throw new AssignmentError('conflict', 'nhiệm vụ này đã được miễn cho đơn vị; không cần báo hoàn thành');
    status = completionStatus(localDateOf(now, deps.calendar.zone), view.due);
    updated = await deps.store.transitionAssignment(
      ref,
      OPEN_STATUSES,
      { status, expectDue: view.due, completedAt: now, completedBy: input.actor, note, evidence },
      { actor: input.actor, action: 'complete', detail: { status, due: view.due, note, evidence } },
      now,
    );
  }
  if (!updated) throw new AssignmentError('conflict', 'trạng thái vừa thay đổi nhiều lần; hãy tải lại và thử lại');
  const skipped = await deps.store.skipQueuedDeliveries(ref, 'completed', 'đơn vị đã hoàn thành', now);
  deps.logger?.info({ ...ref, status, actor: input.actor, skippedDeliveries: skipped }, 'assignment completed');
  return { changed: true, assignment: updated };
}

/** An admin reopens a completed or waived assignment: open again, overdue if its due has passed. */
export async function reopenAssignment(deps: AssignmentDeps, ref: AssignmentRef, input: { actor: string; reason: string }): Promise<Outcome> {
  const reason = cleanText(input.reason, 'lý do');
  if (!reason) throw new AssignmentError('invalid', 'cần ghi lý do mở lại');
  const view = await load(deps, ref);
  if (isOpen(view.status)) return { changed: false, assignment: view };
  const now = deps.clock.now();
  const status = openStatus(view.due, localDateOf(now, deps.calendar.zone), view.due !== view.occurrenceDue);
  const updated = await deps.store.transitionAssignment(
    ref,
    [view.status],
    { status, completedAt: null, completedBy: null, waivedReason: null },
    { actor: input.actor, action: 'reopen', detail: { from: view.status, to: status, reason, completedAt: view.completedAt?.toISO() ?? null } },
    now,
  );
  if (!updated) throw new AssignmentError('conflict', 'trạng thái vừa thay đổi; hãy tải lại');
  // Escalation (and an extended unit's own ladder) are planned again from the record.
  await deps.queue.requestPlan({ obligationIds: [ref.obligationId] });
  return { changed: true, assignment: updated };
}

/** "Đã nhận": recorded and audit-logged; stops only repeats of the same reminder step. */
export async function acknowledgeAssignment(deps: AssignmentDeps, ref: AssignmentRef, input: { actor: string; step: string }): Promise<Outcome> {
  const view = await load(deps, ref);
  if (view.acknowledgedStep === input.step) return { changed: false, assignment: view };
  await deps.store.acknowledge(ref, input.step, input.actor, deps.clock.now());
  return { changed: true, assignment: await load(deps, ref) };
}

/** An admin waives (miễn) an open assignment: no more reminders or escalation for it. */
export async function waiveAssignment(deps: AssignmentDeps, ref: AssignmentRef, input: { actor: string; reason: string }): Promise<Outcome> {
  const reason = cleanText(input.reason, 'lý do');
  if (!reason) throw new AssignmentError('invalid', 'cần ghi lý do miễn');
  const view = await load(deps, ref);
  if (view.status === 'waived') return { changed: false, assignment: view };
  if (!isOpen(view.status)) throw new AssignmentError('conflict', 'đơn vị đã hoàn thành nhiệm vụ này; mở lại trước nếu muốn miễn');
  const now = deps.clock.now();
  const updated = await deps.store.transitionAssignment(
    ref,
    OPEN_STATUSES,
    { status: 'waived', waivedReason: reason },
    { actor: input.actor, action: 'waive', detail: { from: view.status, reason } },
    now,
  );
  if (!updated) throw new AssignmentError('conflict', 'trạng thái vừa thay đổi; hãy tải lại');
  await deps.store.skipQueuedDeliveries(ref, 'waived', 'đơn vị được miễn', now);
  return { changed: true, assignment: updated };
}

/** A unit asks for more time, with a reason and a proposed date later than its current due. */
export async function requestExtension(
  deps: AssignmentDeps,
  ref: AssignmentRef,
  input: { actor: string; reason: string; proposedDue: string },
): Promise<ExtensionRequest> {
  const reason = cleanText(input.reason, 'lý do');
  if (!reason) throw new AssignmentError('invalid', 'cần ghi lý do xin gia hạn');
  if (!isIsoDate(input.proposedDue)) throw new AssignmentError('invalid', 'ngày đề xuất phải có dạng YYYY-MM-DD và có thật');
  // A new due on a rest day or holiday moves to the next working day (Civil Code 2015 art. 148(5)).
  const proposedDue = deps.calendar.onOrAfter(input.proposedDue as IsoDate);
  const view = await load(deps, ref);
  if (!isOpen(view.status)) throw new AssignmentError('conflict', 'nhiệm vụ đã hoàn thành hoặc được miễn: không cần gia hạn');
  if (proposedDue <= view.due) throw new AssignmentError('invalid', `ngày đề xuất phải sau hạn hiện tại (${view.due})`);
  const request = await deps.store.createExtensionRequest(ref, { reason, proposedDue, previousDue: view.due, requestedBy: input.actor }, deps.clock.now());
  if (!request) throw new AssignmentError('conflict', 'đơn vị đã có một đề nghị gia hạn đang chờ duyệt cho nhiệm vụ này');
  return request;
}

/**
 * The parent unit's admin decides. Approval moves this assignment's due (only this unit's), and
 * its reminders and escalation are planned again from the new due.
 */
export async function decideExtension(
  deps: AssignmentDeps,
  id: number,
  input: { actor: string; approve: boolean; note?: string | null },
): Promise<ExtensionRequest> {
  const note = cleanText(input.note, 'ghi chú');
  const request = await deps.store.extensionRequest(id);
  if (!request) throw new AssignmentError('not_found', `không có đề nghị gia hạn số ${id}`);
  if (request.status !== 'pending') throw new AssignmentError('conflict', `đề nghị gia hạn số ${id} đã được xử lý (${request.status === 'approved' ? 'đã duyệt' : 'đã từ chối'})`);
  const now = deps.clock.now();
  const today = localDateOf(now, deps.calendar.zone);
  const decided = await deps.store.decideExtension(
    id,
    {
      approve: input.approve,
      decidedBy: input.actor,
      note,
      // Only from the due the unit asked against: an edit that moved it since makes this a conflict.
      assignmentPatch: input.approve ? { status: openStatus(request.proposedDue, today, true), due: request.proposedDue, expectDue: request.previousDue } : undefined,
    },
    now,
  );
  if (!decided) throw new AssignmentError('conflict', 'đề nghị đã được xử lý, hoặc nhiệm vụ đã đóng hay đổi hạn từ khi đề nghị; hãy tải lại');
  if (input.approve) {
    await deps.queue.requestPlan({ obligationIds: [request.obligationId] });
  }
  deps.logger?.info({ id, approve: input.approve, actor: input.actor }, 'extension decided');
  return decided;
}

/**
 * The assignment a person means by an obligation and a unit: the given occurrence, else the
 * open one with the earliest due (oldest overdue first), else the latest.
 */
export async function resolveAssignment(
  store: Pick<AssignmentStore, 'assignmentsOf'>,
  input: { obligationId: string; unitId: string; occurrenceKey?: string },
): Promise<AssignmentView> {
  const all = await store.assignmentsOf(input.obligationId, input.unitId);
  if (all.length === 0) throw new AssignmentError('not_found', `đơn vị ${input.unitId} không có kỳ nào của nhiệm vụ ${input.obligationId} (chưa lập lịch hoặc không được giao)`);
  if (input.occurrenceKey) {
    const found = all.find((a) => a.occurrenceKey === input.occurrenceKey);
    if (!found) throw new AssignmentError('not_found', `không có kỳ "${input.occurrenceKey}"; có: ${all.map((a) => a.occurrenceKey).join(', ')}`);
    return found;
  }
  return all.find((a) => isOpen(a.status)) ?? all[all.length - 1]!;
}

export const describeStatus = (status: AssignmentView['status']): string =>
  ({
    pending: 'chưa đến hạn',
    extended: 'đã gia hạn',
    overdue: 'quá hạn chưa hoàn thành',
    done_on_time: 'hoàn thành đúng hạn',
    done_late: 'hoàn thành trễ hạn',
    waived: 'được miễn',
  })[status];

