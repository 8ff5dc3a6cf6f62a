import type { DateTime } from 'luxon';
import type { IsoDate } from '../domain/civil-date.js';
import type { DueRule, RollPolicy } from '../domain/due-rule.js';
import type { AssignmentStatus, EscalationPolicy, EscalationTarget } from '../domain/escalation.js';
import type { Assignees, UnitKind } from '../domain/obligation.js';
import type { Occurrence } from '../domain/occurrences.js';
import type { CalendarRules, YearDecree } from '../domain/calendar/types.js';
import type { ChannelName } from './ports.js';

/** Rows as the record (PostgreSQL) keeps them; the catalogue's shapes flattened for storage. */
export interface DirectiveRecord {
  readonly id: string;
  readonly number: string;
  readonly issuer: string;
  readonly issuedOn: IsoDate;
  readonly title: string;
  readonly source: string | null;
  readonly termFrom: IsoDate | null;
  readonly termUntil: IsoDate | null;
  readonly assumed: string | null;
}

export interface UnitRecord {
  readonly id: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly kind: UnitKind;
  readonly leaderContactId: string | null;
  /** Ban Thường vụ (null: the leader stands for it). */
  readonly standingCommittee: readonly string[] | null;
}

export interface ContactRecord {
  readonly id: string;
  readonly unitId: string;
  readonly name: string;
  readonly role: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly zaloUserId: string | null;
  readonly channels: readonly ChannelName[] | null;
}

export interface ObligationRecord {
  readonly id: string;
  readonly directiveId: string;
  readonly title: string;
  readonly clause: string | null;
  readonly sentence: string | null;
  readonly phrase: string | null;
  readonly rule: DueRule;
  readonly roll: RollPolicy;
  /** Ladder step ids ("30d", "3wd"); null: the configured default. */
  readonly ladder: readonly string[] | null;
  /** null: the configured default policy. */
  readonly escalation: EscalationPolicy | null;
  /** In force: the obligation's own validity, else its directive's term and issue date. */
  readonly validFrom: IsoDate | null;
  readonly validUntil: IsoDate | null;
  readonly assignees: Assignees;
  readonly assumed: string | null;
  readonly note: string | null;
}

export interface StoredObligation extends ObligationRecord {
  readonly revision: number;
}

export interface RecordSnapshot {
  readonly directives: ReadonlyMap<string, DirectiveRecord>;
  readonly units: ReadonlyMap<string, UnitRecord>;
  readonly contacts: ReadonlyMap<string, ContactRecord>;
  readonly obligations: ReadonlyMap<string, StoredObligation>;
}

export type Change<T> =
  | { readonly action: 'create'; readonly id: string; readonly after: T }
  | { readonly action: 'update'; readonly id: string; readonly before: T; readonly after: T; readonly fields: readonly string[] }
  | { readonly action: 'delete'; readonly id: string; readonly before: T };

export interface SyncPlan {
  readonly directives: readonly Change<DirectiveRecord>[];
  readonly units: readonly Change<UnitRecord>[];
  readonly contacts: readonly Change<ContactRecord>[];
  /** `replan`: something that decides dates or recipients changed; the revision is bumped. */
  readonly obligations: readonly (Change<ObligationRecord> & { readonly replan: boolean })[];
  readonly calendar?: { readonly rules: CalendarRules; readonly years: readonly YearDecree[] };
}

export type CatalogueOrigin = 'config' | 'console';
export type CatalogueKind = 'directives' | 'units' | 'contacts' | 'obligations';

export interface CatalogueStore {
  /** The live (not deleted) rows managed by config/ (the default), or every live row. */
  snapshot(scope?: 'config' | 'all'): Promise<RecordSnapshot>;
  /**
   * Applies the whole plan in one transaction, with an audit row per change; rows written get
   * this origin (a config/ row keeps being config's). The calendar is written when the plan has it.
   */
  applySync(plan: SyncPlan, now: DateTime, actor: string, origin?: CatalogueOrigin): Promise<void>;
  /** Where a live row is managed; undefined if there is none. */
  originOf(kind: CatalogueKind, id: string): Promise<CatalogueOrigin | undefined>;
  /** The day a unit joined: it owes no occurrence that fell due before. */
  setUnitJoined(id: string, joinedOn: IsoDate): Promise<void>;
}

export type StepStatus = 'planned' | 'fired' | 'skipped' | 'cancelled';

export interface StepRow {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly step: string;
  readonly revision: number;
  readonly fireAt: DateTime;
  readonly status: StepStatus;
  readonly reason?: string | null;
}

export interface PlanStore {
  obligations(ids?: readonly string[]): Promise<StoredObligation[]>;
  /** Obligation ids that were deleted and still have planned steps. */
  deletedWithPlannedSteps(): Promise<string[]>;
  unitTree(): Promise<{ id: string; parent: string | null }[]>;
  /** Occurrences and, for each unit, a pending assignment (existing assignments keep their status). */
  saveOccurrences(obligationId: string, occurrences: readonly Occurrence[], unitIds: readonly string[], now: DateTime): Promise<void>;
  steps(obligationId: string): Promise<StepRow[]>;
  /**
   * Open assignments of the obligation whose unit no longer owes it (removed from the assignees
   * or deleted) are closed as waived with this reason; returns how many.
   */
  withdrawAssignments(
    obligationId: string,
    unitIds: readonly string[],
    reason: string,
    now: DateTime,
    /** Also those of occurrences due in [from, to] that the rule no longer produces (an edit of validity or rule). */
    produced?: { from: IsoDate; to: IsoDate; keys: readonly string[] },
  ): Promise<number>;
  /** Open assignments whose due was moved by an extension (they follow their own ladder). */
  extendedAssignments(obligationId: string): Promise<{ occurrenceKey: string; unitId: string; due: IsoDate }[]>;
  saveSteps(rows: readonly StepRow[], now: DateTime): Promise<void>;
  /** Planned steps of these obligations, each made `cancelled`; returns them (their timers must go). */
  cancelPlannedSteps(obligationId: string, keep: (row: StepRow) => boolean, now: DateTime): Promise<StepRow[]>;
}

export interface PendingRecipient {
  readonly unitId: string;
  readonly unitName: string;
  readonly contactId: string;
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly zaloUserId: string | null;
  readonly channels: readonly ChannelName[] | null;
}

export interface NewDelivery {
  readonly idempotencyKey: string;
  readonly messageKey: string;
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly unitId: string;
  readonly step: string;
  readonly contactId: string;
  readonly channel: ChannelName;
  readonly recipient: string | null;
  readonly fireAt: DateTime;
  readonly urgent: boolean;
  /** A delivery that cannot go out (no address) is recorded as skipped with this reason. */
  readonly skipReason?: string;
  /** The delivery that failed for good on another channel and that this one replaces. */
  readonly fallbackFrom?: string;
  /** Default 'reminder'. */
  readonly purpose?: DeliveryPurpose;
  /** What the message says, frozen at fan-out (escalation history, digest figures). */
  readonly content?: unknown;
}

export type DeliveryPurpose = 'reminder' | 'escalation' | 'digest';

export interface FanOutStore {
  step(obligationId: string, occurrenceKey: string, step: string): Promise<StepRow | undefined>;
  /**
   * Contacts of the units that still owe the occurrence. Without `unitId`: the units on the
   * occurrence's own due (an extended unit has its own ladder); with it: that unit only.
   */
  /** In (unit, contact) order; `page` reads the next `limit` after `after` (a fan-out reads 130,000 in slices). */
  pendingRecipients(
    obligationId: string,
    occurrenceKey: string,
    unitId?: string,
    page?: { readonly after?: { readonly unitId: string; readonly contactId: string }; readonly limit: number },
  ): Promise<PendingRecipient[]>;
  /** Inserts with ON CONFLICT DO NOTHING; returns the keys that were new. */
  insertDeliveries(rows: readonly NewDelivery[], now: DateTime): Promise<string[]>;
  markStep(obligationId: string, occurrenceKey: string, step: string, status: StepStatus, reason: string | null, now: DateTime): Promise<void>;
}

/** One item of a message, with what the message needs to say about it. */
export interface ClaimedDelivery {
  readonly idempotencyKey: string;
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly step: string;
  readonly unitId: string;
  readonly unitName: string;
  readonly contactId: string;
  readonly contactName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly zaloUserId: string | null;
  readonly channels: readonly ChannelName[] | null;
  readonly fireAt: DateTime;
  readonly channel: ChannelName;
  readonly urgent: boolean;
  readonly attempts: number;
  readonly title: string;
  readonly rule: DueRule;
  readonly directiveNumber: string;
  readonly directiveTitle: string;
  readonly nominalDue: IsoDate;
  readonly effectiveDue: IsoDate;
  /** Still owed at send time: false when the unit completed after the fan-out. */
  readonly stillPending: boolean;
  /** The unit said "Đã nhận" for this very step: a repeat of it is not sent. */
  readonly acknowledged: boolean;
  readonly purpose: DeliveryPurpose;
  readonly content: unknown;
}

export type DeliveryOutcome =
  | { readonly status: 'sent'; readonly providerId: string }
  | { readonly status: 'failed'; readonly code: string; readonly error: string; readonly fellBackTo?: ChannelName; readonly meaning?: string }
  | { readonly status: 'skipped'; readonly error: string; readonly code?: string }
  | { readonly status: 'queued'; readonly code: string; readonly error: string };

export interface DeliveryStore {
  /** Deliveries still queued and untouched since `before`: their jobs are put back (Redis may have lost them). */
  queuedDeliveries(before: DateTime, limit: number): Promise<{ idempotencyKey: string; messageKey: string; urgent: boolean }[]>;
  /** Fallback deliveries are recorded like fan-out ones (ON CONFLICT DO NOTHING). */
  insertDeliveries(rows: readonly NewDelivery[], now: DateTime): Promise<string[]>;
  /**
   * Deliveries left `sending` since before `staleBefore` (their worker died between the claim and
   * the outcome): the planner queues a job that takes them over.
   */
  staleClaims(staleBefore: DateTime, limit: number): Promise<{ idempotencyKey: string; messageKey: string; urgent: boolean; claimedAt: DateTime }[]>;
  /**
   * Claims for `claimer` every delivery of the message still queued, already claimed by the same
   * claimer (its job ran again after a crash), or claimed by anyone before `staleBefore` if given
   * (the claim's lease ran out: its worker died), counting one attempt on each.
   */
  claimMessage(messageKey: string, claimer: string, now: DateTime, countAttempt: boolean, staleBefore?: DateTime): Promise<ClaimedDelivery[]>;
  finish(keys: readonly string[], outcome: DeliveryOutcome, now: DateTime): Promise<void>;
  /** Notes on the queued deliveries of a message why they wait (quiet hours), without claiming them. */
  noteDeferred(messageKey: string, reason: string, now: DateTime): Promise<void>;
}

/** An OAuth token pair as the record keeps it (Zalo OA: the refresh token works once). */
export interface StoredTokenPair {
  readonly appId: string;
  readonly accessToken: string | null;
  readonly refreshToken: string;
  readonly accessIssuedAt: DateTime | null;
  readonly accessExpiresAt: DateTime | null;
  readonly refreshExpiresAt: DateTime | null;
  /** A hash of the configured initial refresh token this pair descends from. */
  readonly seededFrom: string;
  readonly status: 'ok' | 'needs_consent';
  readonly statusReason: string | null;
  readonly refreshCount: number;
}

export interface TokenStore {
  readToken(appId: string): Promise<StoredTokenPair | undefined>;
  /** Upserts the pair; called with the new pair before it is used. */
  writeToken(pair: StoredTokenPair, now: DateTime): Promise<void>;
  /** Records the remaining daily ZNS quota from a send response (shown to admins). */
  recordQuota(appId: string, quota: { daily: number; remaining: number }, now: DateTime): Promise<void>;
}

// ── assignments: completion, extensions, waivers ─────────────────────────────

export interface AssignmentRef {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly unitId: string;
}

export interface AssignmentView extends AssignmentRef {
  readonly status: AssignmentStatus;
  /** The effective due of this assignment (the occurrence's, or an approved extension's). */
  readonly due: IsoDate;
  /** The occurrence's own effective due: differs from `due` after an extension. */
  readonly occurrenceDue: IsoDate;
  readonly nominalDue: IsoDate;
  readonly completedAt: DateTime | null;
  readonly completedBy: string | null;
  readonly note: string | null;
  readonly evidence: string | null;
  readonly acknowledgedAt: DateTime | null;
  readonly acknowledgedStep: string | null;
  readonly waivedReason: string | null;
  readonly title: string;
  readonly directiveNumber: string;
  readonly directiveTitle: string;
  readonly unitName: string;
  readonly escalation: EscalationPolicy | null;
}

/** Columns a use case may set on an assignment. */
export interface AssignmentPatch {
  readonly status: AssignmentStatus;
  /** Apply only if the due is still this one (the status was decided against it). */
  readonly expectDue?: IsoDate;
  readonly due?: IsoDate;
  readonly completedAt?: DateTime | null;
  readonly completedBy?: string | null;
  readonly note?: string | null;
  readonly evidence?: string | null;
  readonly waivedReason?: string | null;
}

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly detail: unknown;
}

export interface ExtensionRequest extends AssignmentRef {
  readonly id: number;
  readonly reason: string;
  readonly proposedDue: IsoDate;
  readonly previousDue: IsoDate;
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly requestedBy: string;
  readonly requestedAt: DateTime;
  readonly decidedBy: string | null;
  readonly decidedAt: DateTime | null;
  readonly decisionNote: string | null;
}

export interface AuditRow {
  readonly at: DateTime;
  readonly actor: string;
  readonly entity: string;
  readonly entityId: string;
  readonly action: string;
  readonly detail: unknown;
}

export interface AssignmentStore {
  assignment(ref: AssignmentRef): Promise<AssignmentView | undefined>;
  /** A unit's assignments of one obligation, earliest due first. */
  assignmentsOf(obligationId: string, unitId: string): Promise<AssignmentView[]>;
  /**
   * Applies `patch` only if the status is one of `from` (else returns undefined: someone else
   * changed it first), with an audit row, in one transaction.
   */
  transitionAssignment(ref: AssignmentRef, from: readonly AssignmentStatus[], patch: AssignmentPatch, audit: AuditEntry, now: DateTime): Promise<AssignmentView | undefined>;
  /** Records "Đã nhận" for a step (audit-logged); changes no status. */
  acknowledge(ref: AssignmentRef, step: string, actor: string, now: DateTime): Promise<void>;
  /** Queued deliveries of the assignment are recorded as skipped with this code and reason; returns how many. */
  skipQueuedDeliveries(ref: AssignmentRef, code: string, reason: string, now: DateTime): Promise<number>;
  /** Inserts a pending request; undefined when one is already pending for the assignment. */
  createExtensionRequest(ref: AssignmentRef, input: { reason: string; proposedDue: IsoDate; previousDue: IsoDate; requestedBy: string }, now: DateTime): Promise<ExtensionRequest | undefined>;
  extensionRequest(id: number): Promise<ExtensionRequest | undefined>;
  extensionRequests(filter: { status?: ExtensionRequest['status']; ref?: AssignmentRef }): Promise<ExtensionRequest[]>;
  /**
   * Decides a pending request; on approval also moves the assignment's due and status. One
   * transaction with audit rows; undefined if it was no longer pending.
   */
  decideExtension(
    id: number,
    decision: { approve: boolean; decidedBy: string; note: string | null; assignmentPatch?: AssignmentPatch },
    now: DateTime,
  ): Promise<ExtensionRequest | undefined>;
  auditOf(entity: string, entityId: string): Promise<AuditRow[]>;
  /** A contact as a link needs it: its unit, and whether it was deleted. */
  contact(id: string): Promise<{ unitId: string; deleted: boolean } | undefined>;
}

// ── escalation ──────────────────────────────────────────────────────────────

export interface OpenAssignment extends AssignmentRef {
  readonly due: IsoDate;
  readonly escalation: EscalationPolicy | null;
}

/** The open assignments of an occurrence on one due: they share every escalation notice. */
export interface OpenDueGroup {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly due: IsoDate;
  readonly escalation: EscalationPolicy | null;
  readonly units: number;
}

/** One escalation notice of an occurrence (obligation · occurrence · due · level · repeat). */
export interface EscalationNoticeKey {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly due: IsoDate;
  readonly level: number;
  readonly repeat: number;
}

/** What one escalation timer stands for: every unit of the occurrence still on that due, or one. */
export interface EscalationNotice extends EscalationNoticeKey {
  /** Only this unit's notice (timers planned one per unit by earlier versions, and tests). */
  readonly unitId?: string;
}

export interface EscalationNoticeRow extends EscalationNoticeKey {
  readonly fireAt: DateTime;
  readonly status: StepStatus;
  readonly reason?: string | null;
}

/** A unit's escalation notice as the console shows it: its outcome, or the occurrence's plan. */
export interface EscalationStepRow extends AssignmentRef {
  readonly level: number;
  readonly repeat: number;
  readonly due: IsoDate;
  readonly fireAt: DateTime;
  readonly status: StepStatus;
  readonly reason?: string | null;
}

export interface SentSoFar {
  readonly sentAt: DateTime;
  readonly channel: ChannelName;
  readonly purpose: DeliveryPurpose;
  readonly step: string;
  readonly contactName: string;
}

export interface EscalationStore {
  /** Open assignments whose due passed are made `overdue`; returns how many. */
  markOverdue(today: IsoDate, now: DateTime): Promise<number>;
  openAssignmentsDueBetween(fromDue: IsoDate, toDue: IsoDate, obligationIds?: readonly string[]): Promise<OpenAssignment[]>;
  /** The (obligation, occurrence, due) groups of open assignments with a due in [fromDue, toDue). */
  openDueGroups(fromDue: IsoDate, toDue: IsoDate, obligationIds?: readonly string[]): Promise<OpenDueGroup[]>;
  escalationNotices(groups: readonly Pick<OpenDueGroup, 'obligationId' | 'occurrenceKey' | 'due'>[]): Promise<EscalationNoticeRow[]>;
  escalationNotice(key: EscalationNoticeKey): Promise<EscalationNoticeRow | undefined>;
  saveEscalationNotices(rows: readonly EscalationNoticeRow[], now: DateTime): Promise<void>;
  markNotice(key: EscalationNoticeKey, status: StepStatus, reason: string | null, now: DateTime): Promise<void>;
  /** Planned notices of a due in [fromDue, toDue) (of these obligations). */
  plannedNoticesDueBetween(fromDue: IsoDate, toDue: IsoDate, obligationIds?: readonly string[]): Promise<EscalationNoticeRow[]>;
  /**
   * The units a notice tells about: open assignments of the occurrence on the notice's due (or
   * only `notice.unitId`) with no outcome yet for it (at most `limit`), in the order (parent unit,
   * unit): the units a parent's leaders hear about come together, so a notice's pages do not split
   * one leader's message. Ids only: 130,000 of them are a few MB.
   */
  unitsToEscalate(notice: EscalationNotice, limit?: number): Promise<AssignmentRef[]>;
  /** Units' outcomes of a notice (fired or skipped, and why). */
  recordEscalations(rows: readonly EscalationStepRow[], now: DateTime): Promise<void>;
  /** The assignments of these units in one occurrence (a page of a notice's units, in one read). */
  occurrenceAssignments(obligationId: string, occurrenceKey: string, unitIds: readonly string[]): Promise<AssignmentView[]>;
  /** Each unit's notices for its current due: outcomes recorded, else the occurrence's plan as it applies to the unit. */
  escalationSteps(refs: readonly AssignmentRef[]): Promise<EscalationStepRow[]>;
  /** The contacts a target names for an overdue unit (leader, parent's standing committee, named contacts). */
  escalationRecipientsOf(unitIds: readonly string[], target: EscalationTarget): Promise<Map<string, PendingRecipient[]>>;
  /** What each unit was sent for one occurrence (sent deliveries, oldest first), by unit (every unit asked is a key). */
  sentSoFarOf(obligationId: string, occurrenceKey: string, unitIds: readonly string[]): Promise<Map<string, SentSoFar[]>>;
}

// ── leadership digest and reporting ────────────────────────────────────────

export interface DigestRunRow {
  readonly runOn: IsoDate;
  readonly fireAt: DateTime;
  readonly status: 'planned' | 'fired' | 'skipped';
  readonly reason?: string | null;
}

export interface LeaderRow {
  readonly unitId: string;
  readonly unitName: string;
  readonly contact: PendingRecipient;
}

export interface AssignmentFact extends AssignmentRef {
  readonly unitName: string;
  readonly title: string;
  readonly directiveNumber: string;
  readonly status: AssignmentStatus;
  readonly due: IsoDate;
  readonly completedAt: DateTime | null;
}

export interface ReportCount {
  readonly key: string;
  readonly name: string;
  readonly status: AssignmentStatus;
  readonly pastDue: boolean;
  readonly count: number;
}

export interface DigestStore {
  digestRuns(fromDate: IsoDate): Promise<DigestRunRow[]>;
  digestRun(runOn: IsoDate): Promise<DigestRunRow | undefined>;
  saveDigestRuns(rows: readonly DigestRunRow[], now: DateTime): Promise<void>;
  /** Leaders of units that have units below them. */
  leaders(): Promise<LeaderRow[]>;
  units(): Promise<{ id: string; parent: string | null; name: string }[]>;
  /** Open assignments due before `dueBefore`, and those completed late at or after `completedSince`. */
  digestFacts(dueBefore: IsoDate, completedSince: DateTime): Promise<AssignmentFact[]>;
}

export interface ReportStore {
  /** Counts per (unit or obligation, status, due passed), for assignments due in [from, to] of these units. */
  reportCounts(by: 'unit' | 'obligation', filter: { unitIds?: readonly string[]; from?: IsoDate; to?: IsoDate; today: IsoDate }): Promise<ReportCount[]>;
  units(): Promise<{ id: string; parent: string | null; name: string }[]>;
}

// ── calendar feeds ──────────────────────────────────────────────────────────

export interface FeedSubject {
  readonly unitId: string;
  readonly unitName: string;
  /** The contact a contact's feed is for (its completion links act for them); a unit feed has none. */
  readonly contactId: string | null;
}

export interface DeliveryRow extends Pick<NewDelivery, 'idempotencyKey' | 'obligationId' | 'occurrenceKey' | 'unitId' | 'step' | 'contactId' | 'channel'> {
  readonly id: number;
  readonly purpose: DeliveryPurpose;
  readonly status: string;
  readonly attempts: number;
  readonly errorCode: string | null;
  readonly error: string | null;
  readonly errorMeaning: string | null;
  readonly fellBackTo: string | null;
  readonly fireAt: DateTime;
  readonly sentAt: DateTime | null;
  readonly updatedAt: DateTime;
}

export interface ChannelHealth {
  readonly appId: string;
  readonly status: string;
  readonly statusReason: string | null;
  readonly accessIssuedAt: DateTime | null;
  readonly accessExpiresAt: DateTime | null;
  readonly dailyQuota: number | null;
  readonly remainingQuota: number | null;
  readonly quotaObservedAt: DateTime | null;
}

export interface DeliveryLogStore {
  /** The Zalo OA's token state and the ZNS quota last seen (the dashboard's channel health). */
  channelHealth(): Promise<ChannelHealth[]>;
  /** Deliveries per channel and status (metrics). */
  deliveryCounts(): Promise<{ channel: string; status: string; count: number }[]>;
  /** The delivery log, newest first. */
  deliveryLog(filter: { obligationId?: string; unitIds?: readonly string[]; status?: string; channel?: string; limit: number; beforeId?: number }): Promise<DeliveryRow[]>;
  /** Reminder steps never sent because the service was down longer than the catch-up age, newest first. */
  skippedSteps(filter: { obligationId?: string; limit: number }): Promise<SkippedStepRow[]>;
}

export interface SkippedStepRow {
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly step: string;
  readonly fireAt: DateTime;
  readonly reason: string | null;
}

export interface FeedStore {
  /** The live unit or contact a feed token names; undefined if it was deleted. */
  feedSubject(kind: 'unit' | 'contact', id: string): Promise<FeedSubject | undefined>;
  /** Number and title of every live directive. */
  directiveHeads(): Promise<{ id: string; number: string; title: string }[]>;
  /** A unit's assignments due in [fromDue, toDue]. */
  assignmentsOfUnit(unitId: string, fromDue: IsoDate, toDue: IsoDate): Promise<AssignmentView[]>;
}
