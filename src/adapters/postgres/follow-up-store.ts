import { DateTime } from 'luxon';
import type { ChannelName } from '../../app/ports.js';
import type {
  AssignmentFact,
  AssignmentPatch,
  AssignmentRef,
  AssignmentStore,
  AssignmentView,
  AuditEntry,
  AuditRow,
  DigestRunRow,
  DigestStore,
  EscalationNotice,
  EscalationNoticeKey,
  EscalationNoticeRow,
  EscalationStepRow,
  EscalationStore,
  ExtensionRequest,
  ChannelHealth,
  DeliveryLogStore,
  DeliveryRow,
  SkippedStepRow,
  FeedStore,
  FeedSubject,
  LeaderRow,
  OpenAssignment,
  OpenDueGroup,
  PendingRecipient,
  ReportCount,
  ReportStore,
  SentSoFar,
  StepStatus,
} from '../../app/stores.js';
import type { IsoDate } from '../../domain/civil-date.js';
import type { AssignmentStatus, EscalationTarget } from '../../domain/escalation.js';
import type { Database, Sql } from './database.js';

type Row = Record<string, unknown>;

const iso = (t: DateTime): string => t.toUTC().toISO()!;
const instant = (v: unknown): DateTime => DateTime.fromJSDate(v as Date, { zone: 'utc' });
const maybeInstant = (v: unknown): DateTime | null => (v ? instant(v) : null);
const json = (v: unknown): string => JSON.stringify(v);
const OPEN = `('pending', 'extended', 'overdue')`;

/** How an assignment is named in the audit log. */
export const assignmentEntityId = (ref: AssignmentRef): string => `${ref.obligationId}|${ref.occurrenceKey}|${ref.unitId}`;

const refsJson = (refs: readonly AssignmentRef[]): string =>
  json(refs.map((r) => ({ obligation_id: r.obligationId, occurrence_key: r.occurrenceKey, unit_id: r.unitId })));

const ASSIGNMENT_SELECT = `
  select a.*, oc.effective_due as occurrence_due, oc.nominal_due, o.title, o.escalation, dir.number as directive_number,
         dir.title as directive_title, u.name as unit_name
  from assignments a
  join occurrences oc on oc.obligation_id = a.obligation_id and oc.key = a.occurrence_key
  join obligations o on o.id = a.obligation_id
  join directives dir on dir.id = o.directive_id
  join units u on u.id = a.unit_id`;

/**
 * What follows a reminder: completion, extensions, waivers, escalation, the leadership digest
 * and reporting. PostgresStore extends this, so one object serves every store port.
 */
export class FollowUpStore implements AssignmentStore, EscalationStore, DigestStore, ReportStore, FeedStore, DeliveryLogStore {
  constructor(protected readonly db: Database) {}

  // ── assignments ──────────────────────────────────────────────────────────

  async assignment(ref: AssignmentRef): Promise<AssignmentView | undefined> {
    const [r] = await this.db.query(`${ASSIGNMENT_SELECT} where a.obligation_id = $1 and a.occurrence_key = $2 and a.unit_id = $3`, [
      ref.obligationId,
      ref.occurrenceKey,
      ref.unitId,
    ]);
    return r && assignmentOf(r);
  }

  async assignmentsOf(obligationId: string, unitId: string): Promise<AssignmentView[]> {
    const rows = await this.db.query(`${ASSIGNMENT_SELECT} where a.obligation_id = $1 and a.unit_id = $2 order by a.due, a.occurrence_key`, [obligationId, unitId]);
    return rows.map(assignmentOf);
  }

  async transitionAssignment(
    ref: AssignmentRef,
    from: readonly AssignmentStatus[],
    patch: AssignmentPatch,
    audit: AuditEntry,
    now: DateTime,
  ): Promise<AssignmentView | undefined> {
    const changed = await this.db.transaction(async (tx) => {
      const updated = await updateAssignment(tx, ref, from, patch, now);
      if (!updated) return false;
      await writeAudit(tx, now, audit.actor, 'assignment', assignmentEntityId(ref), audit.action, audit.detail);
      return true;
    });
    return changed ? this.assignment(ref) : undefined;
  }

  async acknowledge(ref: AssignmentRef, step: string, actor: string, now: DateTime): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `update assignments set acknowledged_at = $4, acknowledged_step = $5, acknowledged_by = $6, updated_at = $4
         where obligation_id = $1 and occurrence_key = $2 and unit_id = $3`,
        [ref.obligationId, ref.occurrenceKey, ref.unitId, iso(now), step, actor],
      );
      await writeAudit(tx, now, actor, 'assignment', assignmentEntityId(ref), 'acknowledge', { step });
    });
  }

  async skipQueuedDeliveries(ref: AssignmentRef, code: string, reason: string, now: DateTime): Promise<number> {
    const rows = await this.db.query(
      `update deliveries set status = 'skipped', error_code = $4, error = $5, updated_at = $6
       where obligation_id = $1 and occurrence_key = $2 and unit_id = $3 and status = 'queued' and purpose <> 'digest'
       returning 1`,
      [ref.obligationId, ref.occurrenceKey, ref.unitId, code, reason, iso(now)],
    );
    return rows.length;
  }

  async createExtensionRequest(
    ref: AssignmentRef,
    input: { reason: string; proposedDue: IsoDate; previousDue: IsoDate; requestedBy: string },
    now: DateTime,
  ): Promise<ExtensionRequest | undefined> {
    return this.db.transaction(async (tx) => {
      const [r] = await tx.query(
        `insert into extension_requests (obligation_id, occurrence_key, unit_id, reason, proposed_due, previous_due, status, requested_by, requested_at)
         values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)
         on conflict do nothing returning *`,
        [ref.obligationId, ref.occurrenceKey, ref.unitId, input.reason, input.proposedDue, input.previousDue, input.requestedBy, iso(now)],
      );
      if (!r) return undefined;
      const request = extensionOf(r);
      await writeAudit(tx, now, input.requestedBy, 'assignment', assignmentEntityId(ref), 'extension_requested', {
        requestId: request.id,
        reason: input.reason,
        proposedDue: input.proposedDue,
        previousDue: input.previousDue,
      });
      return request;
    });
  }

  async extensionRequest(id: number): Promise<ExtensionRequest | undefined> {
    const [r] = await this.db.query('select * from extension_requests where id = $1', [id]);
    return r && extensionOf(r);
  }

  async extensionRequests(filter: { status?: ExtensionRequest['status']; ref?: AssignmentRef }): Promise<ExtensionRequest[]> {
    const rows = await this.db.query(
      `select * from extension_requests
       where ($1::text is null or status = $1) and ($2::text is null or (obligation_id = $2 and occurrence_key = $3 and unit_id = $4))
       order by id`,
      [filter.status ?? null, filter.ref?.obligationId ?? null, filter.ref?.occurrenceKey ?? null, filter.ref?.unitId ?? null],
    );
    return rows.map(extensionOf);
  }

  async decideExtension(
    id: number,
    decision: { approve: boolean; decidedBy: string; note: string | null; assignmentPatch?: AssignmentPatch },
    now: DateTime,
  ): Promise<ExtensionRequest | undefined> {
    return this.db.transaction(async (tx) => {
      const [r] = await tx.query(
        `update extension_requests set status = $2, decided_by = $3, decided_at = $4, decision_note = $5
         where id = $1 and status = 'pending' returning *`,
        [id, decision.approve ? 'approved' : 'rejected', decision.decidedBy, iso(now), decision.note],
      );
      if (!r) return undefined;
      const request = extensionOf(r);
      if (decision.approve && decision.assignmentPatch) {
        const moved = await updateAssignment(tx, request, ['pending', 'extended', 'overdue'], decision.assignmentPatch, now);
        // The assignment was closed meanwhile: nothing is decided, the caller reports a conflict.
        if (!moved) throw new ExtensionConflict();
      }
      await writeAudit(tx, now, decision.decidedBy, 'assignment', assignmentEntityId(request), decision.approve ? 'extension_approved' : 'extension_rejected', {
        requestId: id,
        proposedDue: request.proposedDue,
        previousDue: request.previousDue,
        note: decision.note,
      });
      return request;
    }).catch((e: unknown) => {
      if (e instanceof ExtensionConflict) return undefined;
      throw e;
    });
  }

  async auditOf(entity: string, entityId: string): Promise<AuditRow[]> {
    const rows = await this.db.query('select * from audit_log where entity = $1 and entity_id = $2 order by id', [entity, entityId]);
    return rows.map((r) => ({
      at: instant(r.at),
      actor: r.actor as string,
      entity: r.entity as string,
      entityId: r.entity_id as string,
      action: r.action as string,
      detail: r.detail,
    }));
  }

  async contact(id: string): Promise<{ unitId: string; deleted: boolean } | undefined> {
    const [r] = await this.db.query<{ unit_id: string; deleted_at: unknown }>('select unit_id, deleted_at from contacts where id = $1', [id]);
    return r && { unitId: r.unit_id, deleted: r.deleted_at !== null };
  }

  // ── delivery log ─────────────────────────────────────────────────────────

  async channelHealth(): Promise<ChannelHealth[]> {
    const rows = await this.db.query('select * from zalo_tokens order by app_id');
    return rows.map((r) => ({
      appId: r.app_id as string,
      status: r.status as string,
      statusReason: (r.status_reason as string | null) ?? null,
      accessIssuedAt: maybeInstant(r.access_issued_at),
      accessExpiresAt: maybeInstant(r.access_expires_at),
      dailyQuota: r.zns_daily_quota === null ? null : Number(r.zns_daily_quota),
      remainingQuota: r.zns_remaining_quota === null ? null : Number(r.zns_remaining_quota),
      quotaObservedAt: maybeInstant(r.quota_observed_at),
    }));
  }

  async deliveryCounts(): Promise<{ channel: string; status: string; count: number }[]> {
    const rows = await this.db.query<{ channel: string; status: string; count: number }>('select channel, status, count(*)::int as count from deliveries group by 1, 2 order by 1, 2');
    return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.count) }));
  }

  async deliveryLog(filter: { obligationId?: string; unitIds?: readonly string[]; status?: string; channel?: string; limit: number; beforeId?: number }): Promise<DeliveryRow[]> {
    const rows = await this.db.query(
      `select * from deliveries
       where ($1::text is null or obligation_id = $1) and ($2::text[] is null or unit_id = any($2::text[]))
         and ($3::text is null or status = $3) and ($4::text is null or channel = $4) and ($5::bigint is null or id < $5)
       order by id desc limit $6`,
      [filter.obligationId ?? null, filter.unitIds ?? null, filter.status ?? null, filter.channel ?? null, filter.beforeId ?? null, filter.limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      idempotencyKey: r.idempotency_key as string,
      purpose: r.purpose as DeliveryRow['purpose'],
      obligationId: r.obligation_id as string,
      occurrenceKey: r.occurrence_key as string,
      unitId: r.unit_id as string,
      step: r.step as string,
      contactId: r.contact_id as string,
      channel: r.channel as ChannelName,
      status: r.status as string,
      attempts: Number(r.attempts),
      errorCode: (r.error_code as string | null) ?? null,
      error: (r.error as string | null) ?? null,
      errorMeaning: (r.error_meaning as string | null) ?? null,
      fellBackTo: (r.fell_back_to as string | null) ?? null,
      fireAt: instant(r.fire_at),
      sentAt: maybeInstant(r.sent_at),
      updatedAt: instant(r.updated_at),
    }));
  }

  async skippedSteps(filter: { obligationId?: string; limit: number }): Promise<SkippedStepRow[]> {
    const rows = await this.db.query(
      `select obligation_id, occurrence_key, step, fire_at, reason from reminder_steps
       where status = 'skipped' and ($1::text is null or obligation_id = $1) order by fire_at desc limit $2`,
      [filter.obligationId ?? null, filter.limit],
    );
    return rows.map((r) => ({
      obligationId: r.obligation_id as string,
      occurrenceKey: r.occurrence_key as string,
      step: r.step as string,
      fireAt: instant(r.fire_at),
      reason: (r.reason as string | null) ?? null,
    }));
  }

  // ── calendar feeds ───────────────────────────────────────────────────────

  async feedSubject(kind: 'unit' | 'contact', id: string): Promise<FeedSubject | undefined> {
    const [r] =
      kind === 'unit'
        ? await this.db.query<{ unit_id: string; unit_name: string; contact_id: string | null }>(
            'select u.id as unit_id, u.name as unit_name, null as contact_id from units u where u.id = $1 and u.deleted_at is null',
            [id],
          )
        : await this.db.query<{ unit_id: string; unit_name: string; contact_id: string | null }>(
            `select u.id as unit_id, u.name as unit_name, c.id as contact_id from contacts c join units u on u.id = c.unit_id and u.deleted_at is null
             where c.id = $1 and c.deleted_at is null`,
            [id],
          );
    return r && { unitId: r.unit_id, unitName: r.unit_name, contactId: r.contact_id };
  }

  async directiveHeads(): Promise<{ id: string; number: string; title: string }[]> {
    return this.db.query<{ id: string; number: string; title: string }>('select id, number, title from directives where deleted_at is null');
  }

  async assignmentsOfUnit(unitId: string, fromDue: IsoDate, toDue: IsoDate): Promise<AssignmentView[]> {
    const rows = await this.db.query(`${ASSIGNMENT_SELECT} where a.unit_id = $1 and a.due between $2::date and $3::date and o.deleted_at is null order by a.due`, [
      unitId,
      fromDue,
      toDue,
    ]);
    return rows.map(assignmentOf);
  }

  // ── escalation ───────────────────────────────────────────────────────────

  async markOverdue(today: IsoDate, now: DateTime): Promise<number> {
    const rows = await this.db.query(
      `update assignments set status = 'overdue', updated_at = $2 where status in ('pending', 'extended') and due < $1::date returning 1`,
      [today, iso(now)],
    );
    return rows.length;
  }

  async openAssignmentsDueBetween(fromDue: IsoDate, toDue: IsoDate, obligationIds?: readonly string[]): Promise<OpenAssignment[]> {
    const rows = await this.db.query(
      `select a.obligation_id, a.occurrence_key, a.unit_id, a.due, o.escalation
       from assignments a join obligations o on o.id = a.obligation_id and o.deleted_at is null
       where a.status in ${OPEN} and a.due >= $1::date and a.due < $2::date and ($3::text[] is null or a.obligation_id = any($3::text[]))
       order by a.obligation_id, a.occurrence_key, a.unit_id`,
      [fromDue, toDue, obligationIds ?? null],
    );
    return rows.map((r) => ({
      obligationId: r.obligation_id as string,
      occurrenceKey: r.occurrence_key as string,
      unitId: r.unit_id as string,
      due: r.due as string,
      escalation: (r.escalation as OpenAssignment['escalation']) ?? null,
    }));
  }

  async openDueGroups(fromDue: IsoDate, toDue: IsoDate, obligationIds?: readonly string[]): Promise<OpenDueGroup[]> {
    const rows = await this.db.query(
      `select a.obligation_id, a.occurrence_key, a.due, o.escalation, count(*)::int as units
       from assignments a join obligations o on o.id = a.obligation_id and o.deleted_at is null
       where a.status in ${OPEN} and a.due >= $1::date and a.due < $2::date and ($3::text[] is null or a.obligation_id = any($3::text[]))
       group by a.obligation_id, a.occurrence_key, a.due, o.escalation
       order by a.obligation_id, a.occurrence_key, a.due`,
      [fromDue, toDue, obligationIds ?? null],
    );
    return rows.map((r) => ({
      obligationId: r.obligation_id as string,
      occurrenceKey: r.occurrence_key as string,
      due: r.due as string,
      escalation: (r.escalation as OpenDueGroup['escalation']) ?? null,
      units: Number(r.units),
    }));
  }

  async escalationNotices(groups: readonly Pick<OpenDueGroup, 'obligationId' | 'occurrenceKey' | 'due'>[]): Promise<EscalationNoticeRow[]> {
    if (groups.length === 0) return [];
    const rows = await this.db.query(
      `select n.* from escalation_notices n
       join jsonb_to_recordset($1::jsonb) as x(obligation_id text, occurrence_key text, due text)
         on x.obligation_id = n.obligation_id and x.occurrence_key = n.occurrence_key and x.due::date = n.due`,
      [json(groups.map((g) => ({ obligation_id: g.obligationId, occurrence_key: g.occurrenceKey, due: g.due })))],
    );
    return rows.map(escalationNoticeOf);
  }

  async escalationNotice(key: EscalationNoticeKey): Promise<EscalationNoticeRow | undefined> {
    const [r] = await this.db.query(
      'select * from escalation_notices where obligation_id = $1 and occurrence_key = $2 and due = $3::date and level = $4 and repeat = $5',
      [key.obligationId, key.occurrenceKey, key.due, key.level, key.repeat],
    );
    return r && escalationNoticeOf(r);
  }

  async saveEscalationNotices(rows: readonly EscalationNoticeRow[], now: DateTime): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `insert into escalation_notices (obligation_id, occurrence_key, due, level, repeat, fire_at, status, reason, updated_at)
       select x.obligation_id, x.occurrence_key, x.due::date, x.level, x.repeat, x.fire_at::timestamptz, x.status, x.reason, $2
       from jsonb_to_recordset($1::jsonb) as x(obligation_id text, occurrence_key text, due text, level int, repeat int, fire_at text, status text, reason text)
       on conflict (obligation_id, occurrence_key, due, level, repeat) do update set fire_at = excluded.fire_at,
         status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at`,
      [
        json(
          rows.map((r) => ({
            obligation_id: r.obligationId,
            occurrence_key: r.occurrenceKey,
            due: r.due,
            level: r.level,
            repeat: r.repeat,
            fire_at: iso(r.fireAt),
            status: r.status,
            reason: r.reason ?? null,
          })),
        ),
        iso(now),
      ],
    );
  }

  async markNotice(key: EscalationNoticeKey, status: StepStatus, reason: string | null, now: DateTime): Promise<void> {
    await this.db.query(
      `update escalation_notices set status = $6, reason = $7, updated_at = $8
       where obligation_id = $1 and occurrence_key = $2 and due = $3::date and level = $4 and repeat = $5`,
      [key.obligationId, key.occurrenceKey, key.due, key.level, key.repeat, status, reason, iso(now)],
    );
  }

  async plannedNoticesDueBetween(fromDue: IsoDate, toDue: IsoDate, obligationIds?: readonly string[]): Promise<EscalationNoticeRow[]> {
    const rows = await this.db.query(
      `select * from escalation_notices
       where status = 'planned' and due >= $1::date and due < $2::date and ($3::text[] is null or obligation_id = any($3::text[]))`,
      [fromDue, toDue, obligationIds ?? null],
    );
    return rows.map(escalationNoticeOf);
  }

  async unitsToEscalate(notice: EscalationNotice, limit?: number): Promise<AssignmentRef[]> {
    const rows = await this.db.query(
      `select a.unit_id
       from assignments a join obligations o on o.id = a.obligation_id and o.deleted_at is null join units u on u.id = a.unit_id
       where a.obligation_id = $1 and a.occurrence_key = $2 and a.due = $3::date and a.status in ${OPEN} and ($6::text is null or a.unit_id = $6)
         and not exists (select 1 from escalation_steps e
               where e.obligation_id = a.obligation_id and e.occurrence_key = a.occurrence_key and e.unit_id = a.unit_id
                 and e.level = $4 and e.repeat = $5 and e.due = a.due and e.status in ('fired', 'skipped'))
       order by coalesce(u.parent_id, ''), a.unit_id limit $7`,
      [notice.obligationId, notice.occurrenceKey, notice.due, notice.level, notice.repeat, notice.unitId ?? null, limit ?? null],
    );
    return rows.map((r) => ({ obligationId: notice.obligationId, occurrenceKey: notice.occurrenceKey, unitId: r.unit_id as string }));
  }

  async recordEscalations(rows: readonly EscalationStepRow[], now: DateTime): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `insert into escalation_steps (obligation_id, occurrence_key, unit_id, level, repeat, due, fire_at, status, reason, updated_at)
       select x.obligation_id, x.occurrence_key, x.unit_id, x.level, x.repeat, x.due::date, x.fire_at::timestamptz, x.status, x.reason, $2
       from jsonb_to_recordset($1::jsonb) as x(obligation_id text, occurrence_key text, unit_id text, level int, repeat int, due text, fire_at text, status text, reason text)
       on conflict (obligation_id, occurrence_key, unit_id, level, repeat) do update set due = excluded.due, fire_at = excluded.fire_at,
         status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at`,
      [
        json(
          rows.map((r) => ({
            obligation_id: r.obligationId,
            occurrence_key: r.occurrenceKey,
            unit_id: r.unitId,
            level: r.level,
            repeat: r.repeat,
            due: r.due,
            fire_at: iso(r.fireAt),
            status: r.status,
            reason: r.reason ?? null,
          })),
        ),
        iso(now),
      ],
    );
  }

  async escalationSteps(refs: readonly AssignmentRef[]): Promise<EscalationStepRow[]> {
    if (refs.length === 0) return [];
    // A unit's outcomes, then the occurrence's notices for the unit's current due that have none
    // for it, as they apply to the unit: planned while it is open, else cancelled (done or waived).
    const rows = await this.db.query(
      `with x as (select * from jsonb_to_recordset($1::jsonb) as x(obligation_id text, occurrence_key text, unit_id text))
       select e.obligation_id, e.occurrence_key, e.unit_id, e.level, e.repeat, e.due, e.fire_at, e.status, e.reason
       from escalation_steps e join x on x.obligation_id = e.obligation_id and x.occurrence_key = e.occurrence_key and x.unit_id = e.unit_id
       union all
       select a.obligation_id, a.occurrence_key, a.unit_id, n.level, n.repeat, n.due, n.fire_at,
         case when n.status = 'skipped' then 'skipped'
              when a.status in ${OPEN} then (case when n.status = 'planned' then 'planned' when n.status = 'fired' then 'skipped' else 'cancelled' end)
              else 'cancelled' end,
         case when n.status = 'skipped' then n.reason
              when a.status in ${OPEN} then (case when n.status = 'planned' then null when n.status = 'fired' then 'không gửi cho đơn vị lúc đó' else n.reason end)
              when a.status = 'waived' then 'waived' else 'completed' end
       from x join assignments a on a.obligation_id = x.obligation_id and a.occurrence_key = x.occurrence_key and a.unit_id = x.unit_id
         join escalation_notices n on n.obligation_id = a.obligation_id and n.occurrence_key = a.occurrence_key and n.due = a.due
       where not exists (select 1 from escalation_steps e where e.obligation_id = a.obligation_id and e.occurrence_key = a.occurrence_key
                           and e.unit_id = a.unit_id and e.level = n.level and e.repeat = n.repeat and e.due = n.due)`,
      [refsJson(refs)],
    );
    return rows.map(escalationStepOf);
  }

  async escalationRecipientsOf(unitIds: readonly string[], target: EscalationTarget): Promise<Map<string, PendingRecipient[]>> {
    const idsFor = new Map<string, string[]>();
    if (target.kind === 'contacts') for (const u of unitIds) idsFor.set(u, [...target.contactIds]);
    else {
      const units = await this.db.query<{ id: string; leader_contact_id: string | null; parent_id: string | null }>(
        'select id, leader_contact_id, parent_id from units where id = any($1::text[])',
        [unitIds],
      );
      if (target.kind === 'unit_leader') for (const u of units) idsFor.set(u.id, u.leader_contact_id ? [u.leader_contact_id] : []);
      else {
        const parentIds = [...new Set(units.flatMap((u) => (u.parent_id ? [u.parent_id] : [])))];
        const parents = new Map(
          (
            await this.db.query<{ id: string; leader_contact_id: string | null; standing_committee: string[] | null }>(
              'select id, leader_contact_id, standing_committee from units where id = any($1::text[]) and deleted_at is null',
              [parentIds],
            )
          ).map((p) => [p.id, p]),
        );
        for (const u of units) {
          const p = u.parent_id ? parents.get(u.parent_id) : undefined;
          idsFor.set(u.id, p ? (p.standing_committee && p.standing_committee.length > 0 ? p.standing_committee : p.leader_contact_id ? [p.leader_contact_id] : []) : []);
        }
      }
    }
    const wanted = [...new Set([...idsFor.values()].flat())];
    const contacts = new Map<string, PendingRecipient>();
    if (wanted.length > 0) {
      const rows = await this.db.query(
        `select c.unit_id, u.name as unit_name, c.id as contact_id, c.name, c.email, c.phone, c.zalo_user_id, c.channels
         from contacts c join units u on u.id = c.unit_id
         where c.id = any($1::text[]) and c.deleted_at is null`,
        [wanted],
      );
      for (const r of rows) contacts.set(r.contact_id as string, recipientRow(r));
    }
    const out = new Map<string, PendingRecipient[]>();
    for (const [unitId, ids] of idsFor) {
      out.set(unitId, [...new Set(ids)].sort().flatMap((id) => contacts.get(id) ?? []));
    }
    return out;
  }

  async sentSoFarOf(obligationId: string, occurrenceKey: string, unitIds: readonly string[]): Promise<Map<string, SentSoFar[]>> {
    const rows = await this.db.query(
      `select d.unit_id, d.sent_at, d.channel, d.purpose, d.step, c.name as contact_name
       from deliveries d join contacts c on c.id = d.contact_id
       where d.obligation_id = $1 and d.occurrence_key = $2 and d.unit_id = any($3::text[]) and d.status = 'sent' and d.purpose <> 'digest'
       order by d.sent_at, d.id`,
      [obligationId, occurrenceKey, unitIds],
    );
    const out = new Map<string, SentSoFar[]>(unitIds.map((u) => [u, []]));
    for (const r of rows) {
      out.get(r.unit_id as string)?.push({
        sentAt: instant(r.sent_at),
        channel: r.channel as ChannelName,
        purpose: r.purpose as SentSoFar['purpose'],
        step: r.step as string,
        contactName: r.contact_name as string,
      });
    }
    return out;
  }

  async occurrenceAssignments(obligationId: string, occurrenceKey: string, unitIds: readonly string[]): Promise<AssignmentView[]> {
    const rows = await this.db.query(`${ASSIGNMENT_SELECT} where a.obligation_id = $1 and a.occurrence_key = $2 and a.unit_id = any($3::text[])`, [
      obligationId,
      occurrenceKey,
      unitIds,
    ]);
    return rows.map(assignmentOf);
  }

  // ── leadership digest ────────────────────────────────────────────────────

  async digestRuns(fromDate: IsoDate): Promise<DigestRunRow[]> {
    const rows = await this.db.query('select * from digest_runs where run_on >= $1::date order by run_on', [fromDate]);
    return rows.map(digestRunOf);
  }

  async digestRun(runOn: IsoDate): Promise<DigestRunRow | undefined> {
    const [r] = await this.db.query('select * from digest_runs where run_on = $1::date', [runOn]);
    return r && digestRunOf(r);
  }

  async saveDigestRuns(rows: readonly DigestRunRow[], now: DateTime): Promise<void> {
    for (const r of rows) {
      await this.db.query(
        `insert into digest_runs (run_on, fire_at, status, reason, updated_at) values ($1, $2, $3, $4, $5)
         on conflict (run_on) do update set fire_at = $2, status = $3, reason = $4, updated_at = $5`,
        [r.runOn, iso(r.fireAt), r.status, r.reason ?? null, iso(now)],
      );
    }
  }

  async leaders(): Promise<LeaderRow[]> {
    const rows = await this.db.query(
      `select u.id as unit_id, u.name as unit_name, c.id as contact_id, c.name, c.email, c.phone, c.zalo_user_id, c.channels
       from units u join contacts c on c.id = u.leader_contact_id and c.deleted_at is null
       where u.deleted_at is null and exists (select 1 from units ch where ch.parent_id = u.id and ch.deleted_at is null)
       order by u.id`,
    );
    return rows.map((r) => ({ unitId: r.unit_id as string, unitName: r.unit_name as string, contact: recipientRow(r) }));
  }

  async units(): Promise<{ id: string; parent: string | null; name: string }[]> {
    const rows = await this.db.query<{ id: string; parent_id: string | null; name: string }>('select id, parent_id, name from units where deleted_at is null order by id');
    return rows.map((r) => ({ id: r.id, parent: r.parent_id, name: r.name }));
  }

  async digestFacts(dueBefore: IsoDate, completedSince: DateTime): Promise<AssignmentFact[]> {
    const rows = await this.db.query(
      `select a.obligation_id, a.occurrence_key, a.unit_id, a.status, a.due, a.completed_at, u.name as unit_name, o.title, dir.number as directive_number
       from assignments a
       join units u on u.id = a.unit_id and u.deleted_at is null
       join obligations o on o.id = a.obligation_id and o.deleted_at is null
       join directives dir on dir.id = o.directive_id
       where (a.status in ${OPEN} and a.due < $1::date) or (a.status = 'done_late' and a.completed_at >= $2::timestamptz)
       order by a.due, a.unit_id, a.obligation_id`,
      [dueBefore, iso(completedSince)],
    );
    return rows.map((r) => ({
      obligationId: r.obligation_id as string,
      occurrenceKey: r.occurrence_key as string,
      unitId: r.unit_id as string,
      unitName: r.unit_name as string,
      title: r.title as string,
      directiveNumber: r.directive_number as string,
      status: r.status as AssignmentStatus,
      due: r.due as string,
      completedAt: maybeInstant(r.completed_at),
    }));
  }

  // ── reporting ────────────────────────────────────────────────────────────

  async reportCounts(
    by: 'unit' | 'obligation',
    filter: { unitIds?: readonly string[]; from?: IsoDate; to?: IsoDate; today: IsoDate },
  ): Promise<ReportCount[]> {
    const [key, name] = by === 'unit' ? ['a.unit_id', 'u.name'] : ['a.obligation_id', 'o.title'];
    const rows = await this.db.query(
      `select ${key} as key, ${name} as name, a.status, a.due < $4::date as past_due, count(*)::int as count
       from assignments a
       join units u on u.id = a.unit_id and u.deleted_at is null
       join obligations o on o.id = a.obligation_id and o.deleted_at is null
       where ($1::text[] is null or a.unit_id = any($1::text[])) and ($2::date is null or a.due >= $2::date) and ($3::date is null or a.due <= $3::date)
       group by 1, 2, 3, 4 order by 1`,
      [filter.unitIds ?? null, filter.from ?? null, filter.to ?? null, filter.today],
    );
    return rows.map((r) => ({ key: r.key as string, name: r.name as string, status: r.status as AssignmentStatus, pastDue: r.past_due as boolean, count: Number(r.count) }));
  }
}

class ExtensionConflict extends Error {}

async function writeAudit(tx: Sql, now: DateTime, actor: string, entity: string, entityId: string, action: string, detail: unknown): Promise<void> {
  await tx.query('insert into audit_log (at, actor, entity, entity_id, action, detail) values ($1, $2, $3, $4, $5, $6)', [
    iso(now),
    actor,
    entity,
    entityId,
    action,
    json(detail ?? null),
  ]);
}

async function updateAssignment(tx: Sql, ref: AssignmentRef, from: readonly AssignmentStatus[], patch: AssignmentPatch, now: DateTime): Promise<boolean> {
  const sets = ['status = $5', 'updated_at = $6'];
  const values: unknown[] = [ref.obligationId, ref.occurrenceKey, ref.unitId, [...from], patch.status, iso(now)];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (patch.due !== undefined) set('due', patch.due);
  let guard = '';
  if (patch.expectDue !== undefined) {
    values.push(patch.expectDue);
    guard = ` and due = $${values.length}::date`;
  }
  if (patch.completedAt !== undefined) set('completed_at', patch.completedAt && iso(patch.completedAt));
  if (patch.completedBy !== undefined) set('completed_by', patch.completedBy);
  if (patch.note !== undefined) set('note', patch.note);
  if (patch.evidence !== undefined) set('evidence', patch.evidence);
  if (patch.waivedReason !== undefined) set('waived_reason', patch.waivedReason);
  const rows = await tx.query(
    `update assignments set ${sets.join(', ')} where obligation_id = $1 and occurrence_key = $2 and unit_id = $3 and status = any($4::text[])${guard} returning 1`,
    values,
  );
  return rows.length > 0;
}

export function recipientRow(r: Row): PendingRecipient {
  return {
    unitId: r.unit_id as string,
    unitName: r.unit_name as string,
    contactId: r.contact_id as string,
    name: r.name as string,
    email: (r.email as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    zaloUserId: (r.zalo_user_id as string | null) ?? null,
    channels: (r.channels as ChannelName[] | null) ?? null,
  };
}

function assignmentOf(r: Row): AssignmentView {
  return {
    obligationId: r.obligation_id as string,
    occurrenceKey: r.occurrence_key as string,
    unitId: r.unit_id as string,
    status: r.status as AssignmentStatus,
    due: r.due as string,
    occurrenceDue: r.occurrence_due as string,
    nominalDue: r.nominal_due as string,
    completedAt: maybeInstant(r.completed_at),
    completedBy: (r.completed_by as string | null) ?? null,
    note: (r.note as string | null) ?? null,
    evidence: (r.evidence as string | null) ?? null,
    acknowledgedAt: maybeInstant(r.acknowledged_at),
    acknowledgedStep: (r.acknowledged_step as string | null) ?? null,
    waivedReason: (r.waived_reason as string | null) ?? null,
    title: r.title as string,
    directiveNumber: r.directive_number as string,
    directiveTitle: r.directive_title as string,
    unitName: r.unit_name as string,
    escalation: (r.escalation as AssignmentView['escalation']) ?? null,
  };
}

function extensionOf(r: Row): ExtensionRequest {
  return {
    id: Number(r.id),
    obligationId: r.obligation_id as string,
    occurrenceKey: r.occurrence_key as string,
    unitId: r.unit_id as string,
    reason: r.reason as string,
    proposedDue: r.proposed_due as string,
    previousDue: r.previous_due as string,
    status: r.status as ExtensionRequest['status'],
    requestedBy: r.requested_by as string,
    requestedAt: instant(r.requested_at),
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: maybeInstant(r.decided_at),
    decisionNote: (r.decision_note as string | null) ?? null,
  };
}

function escalationStepOf(r: Row): EscalationStepRow {
  return {
    obligationId: r.obligation_id as string,
    occurrenceKey: r.occurrence_key as string,
    unitId: r.unit_id as string,
    level: Number(r.level),
    repeat: Number(r.repeat),
    due: r.due as string,
    fireAt: instant(r.fire_at),
    status: r.status as StepStatus,
    reason: (r.reason as string | null) ?? null,
  };
}

function escalationNoticeOf(r: Row): EscalationNoticeRow {
  return {
    obligationId: r.obligation_id as string,
    occurrenceKey: r.occurrence_key as string,
    due: r.due as string,
    level: Number(r.level),
    repeat: Number(r.repeat),
    fireAt: instant(r.fire_at),
    status: r.status as StepStatus,
    reason: (r.reason as string | null) ?? null,
  };
}

function digestRunOf(r: Row): DigestRunRow {
  return { runOn: r.run_on as string, fireAt: instant(r.fire_at), status: r.status as DigestRunRow['status'], reason: (r.reason as string | null) ?? null };
}
