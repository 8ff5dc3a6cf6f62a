import type { DateTime } from 'luxon';
import type { IsoDate } from '../domain/civil-date.js';
import type { DueRule, RollPolicy } from '../domain/due-rule.js';
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
  readonly calendar: { readonly rules: CalendarRules; readonly years: readonly YearDecree[] };
}

export interface CatalogueStore {
  /** The live (not deleted) rows. */
  snapshot(): Promise<RecordSnapshot>;
  /** Applies the whole plan in one transaction, with an audit row per change. */
  applySync(plan: SyncPlan, now: DateTime, actor: string): Promise<void>;
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
}

export interface FanOutStore {
  step(obligationId: string, occurrenceKey: string, step: string): Promise<StepRow | undefined>;
  pendingRecipients(obligationId: string, occurrenceKey: string): Promise<PendingRecipient[]>;
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
}

export type DeliveryOutcome =
  | { readonly status: 'sent'; readonly providerId: string }
  | { readonly status: 'failed'; readonly code: string; readonly error: string; readonly fellBackTo?: ChannelName; readonly meaning?: string }
  | { readonly status: 'skipped'; readonly error: string }
  | { readonly status: 'queued'; readonly code: string; readonly error: string };

export interface DeliveryStore {
  /** Fallback deliveries are recorded like fan-out ones (ON CONFLICT DO NOTHING). */
  insertDeliveries(rows: readonly NewDelivery[], now: DateTime): Promise<string[]>;
  /**
   * Claims for `claimer` every delivery of the message still queued (or already claimed by the
   * same claimer, after a crash), counting one attempt on each.
   */
  claimMessage(messageKey: string, claimer: string, now: DateTime, countAttempt: boolean): Promise<ClaimedDelivery[]>;
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
