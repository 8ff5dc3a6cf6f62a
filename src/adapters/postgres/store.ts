import { DateTime } from 'luxon';
import type { Occurrence } from '../../domain/occurrences.js';
import type {
  CatalogueKind,
  CatalogueOrigin,
  CatalogueStore,
  Change,
  ClaimedDelivery,
  ContactRecord,
  DeliveryOutcome,
  DeliveryStore,
  DirectiveRecord,
  FanOutStore,
  NewDelivery,
  ObligationRecord,
  PendingRecipient,
  PlanStore,
  RecordSnapshot,
  StepRow,
  StepStatus,
  StoredObligation,
  StoredTokenPair,
  TokenStore,
  SyncPlan,
  UnitRecord,
} from '../../app/stores.js';
import type { ChannelName } from '../../app/ports.js';
import type { CalendarOverride, CalendarOverrideStore } from '../../app/calendar-edit.js';
import type { Database, Sql } from './database.js';
import { FollowUpStore, recipientRow } from './follow-up-store.js';

type Row = Record<string, unknown>;

const iso = (t: DateTime): string => t.toUTC().toISO()!;
const instant = (v: unknown): DateTime => DateTime.fromJSDate(v as Date, { zone: 'utc' });
const json = (v: unknown): string => JSON.stringify(v);

/** The record in PostgreSQL (or PGlite): every store port in one place, one SQL dialect. */
export class PostgresStore extends FollowUpStore implements CatalogueStore, PlanStore, FanOutStore, DeliveryStore, TokenStore, CalendarOverrideStore {
  constructor(db: Database) {
    super(db);
  }

  // ── catalogue ────────────────────────────────────────────────────────────

  async snapshot(scope: 'config' | 'all' = 'config'): Promise<RecordSnapshot> {
    const only = scope === 'config' ? " and origin = 'config'" : '';
    const [directives, units, contacts, obligations] = await Promise.all([
      this.db.query(`select * from directives where deleted_at is null${only}`),
      this.db.query(`select * from units where deleted_at is null${only}`),
      this.db.query(`select * from contacts where deleted_at is null${only}`),
      this.db.query(`select * from obligations where deleted_at is null${only}`),
    ]);
    return {
      directives: new Map(directives.map((r) => [r.id as string, directiveOf(r)])),
      units: new Map(units.map((r) => [r.id as string, unitOf(r)])),
      contacts: new Map(contacts.map((r) => [r.id as string, contactOf(r)])),
      obligations: new Map(obligations.map((r) => [r.id as string, obligationOf(r)])),
    };
  }

  async originOf(kind: CatalogueKind, id: string): Promise<CatalogueOrigin | undefined> {
    const [r] = await this.db.query<{ origin: CatalogueOrigin }>(`select origin from ${kind} where id = $1 and deleted_at is null`, [id]);
    return r?.origin;
  }

  async setUnitJoined(id: string, joinedOn: string): Promise<void> {
    await this.db.query('update units set joined_on = $2 where id = $1', [id, joinedOn]);
  }

  async applySync(plan: SyncPlan, now: DateTime, actor: string, origin: CatalogueOrigin = 'config'): Promise<void> {
    const at = iso(now);
    await this.db.transaction(async (tx) => {
      const audit = (entity: string, c: Change<unknown>) =>
        tx.query('insert into audit_log (at, actor, entity, entity_id, action, detail) values ($1, $2, $3, $4, $5, $6)', [
          at,
          actor,
          entity,
          c.id,
          c.action,
          json(c.action === 'update' ? { fields: c.fields, before: pick(c.before, c.fields), after: pick(c.after, c.fields) } : c.action === 'create' ? c.after : null),
        ]);
      for (const c of plan.directives) {
        if (c.action === 'delete') await tx.query('update directives set deleted_at = $2, updated_at = $2 where id = $1', [c.id, at]);
        else {
          const d = c.after;
          await tx.query(
            `insert into directives (id, number, issuer, issued_on, title, source, term_from, term_until, assumed, deleted_at, updated_at, origin)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, null, $10, $11)
             on conflict (id) do update set number = $2, issuer = $3, issued_on = $4, title = $5, source = $6,
               term_from = $7, term_until = $8, assumed = $9, deleted_at = null, updated_at = $10, origin = $11`,
            [d.id, d.number, d.issuer, d.issuedOn, d.title, d.source, d.termFrom, d.termUntil, d.assumed, at, origin],
          );
        }
        await audit('directive', c);
      }
      for (const c of plan.units) {
        if (c.action === 'delete') await tx.query('update units set deleted_at = $2, updated_at = $2 where id = $1', [c.id, at]);
        else {
          const u = c.after;
          await tx.query(
            `insert into units (id, parent_id, name, kind, leader_contact_id, standing_committee, deleted_at, updated_at, origin) values ($1, $2, $3, $4, $5, $7, null, $6, $8)
             on conflict (id) do update set parent_id = $2, name = $3, kind = $4, leader_contact_id = $5, standing_committee = $7, deleted_at = null, updated_at = $6, origin = $8`,
            [u.id, u.parentId, u.name, u.kind, u.leaderContactId, at, u.standingCommittee && json(u.standingCommittee), origin],
          );
        }
        await audit('unit', c);
      }
      for (const c of plan.contacts) {
        if (c.action === 'delete') await tx.query('update contacts set deleted_at = $2, updated_at = $2 where id = $1', [c.id, at]);
        else {
          const p = c.after;
          await tx.query(
            `insert into contacts (id, unit_id, name, role, email, phone, zalo_user_id, channels, deleted_at, updated_at, origin) values ($1, $2, $3, $4, $5, $6, $7, $9, null, $8, $10)
             on conflict (id) do update set unit_id = $2, name = $3, role = $4, email = $5, phone = $6, zalo_user_id = $7, channels = $9, deleted_at = null, updated_at = $8, origin = $10`,
            [p.id, p.unitId, p.name, p.role, p.email, p.phone, p.zaloUserId, at, p.channels && json(p.channels), origin],
          );
        }
        await audit('contact', c);
      }
      for (const c of plan.obligations) {
        if (c.action === 'delete') {
          await tx.query('update obligations set deleted_at = $2, updated_at = $2, revision = revision + 1 where id = $1', [c.id, at]);
        } else {
          const o = c.after;
          await tx.query(
            `insert into obligations (id, directive_id, title, clause, sentence, phrase, rule, roll, ladder, valid_from, valid_until, assignees, assumed, note, escalation, revision, deleted_at, updated_at, origin)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $17, 1, null, $15, $18)
             on conflict (id) do update set directive_id = $2, title = $3, clause = $4, sentence = $5, phrase = $6, rule = $7, roll = $8,
               ladder = $9, escalation = $17, origin = $18, valid_from = $10, valid_until = $11, assignees = $12, assumed = $13, note = $14, deleted_at = null, updated_at = $15,
               revision = obligations.revision + (case when $16 then 1 else 0 end)`,
            [o.id, o.directiveId, o.title, o.clause, o.sentence, o.phrase, json(o.rule), o.roll, o.ladder && json(o.ladder), o.validFrom, o.validUntil, json(o.assignees), o.assumed, o.note, at, c.replan, o.escalation && json(o.escalation), origin],
          );
        }
        await audit('obligation', c);
      }
      if (!plan.calendar) return;
      await tx.query(
        `insert into calendar_rules (id, rules, updated_at) values (1, $1, $2) on conflict (id) do update set rules = $1, updated_at = $2`,
        [json(plan.calendar.rules), at],
      );
      for (const y of plan.calendar.years) {
        await tx.query(`insert into calendar_years (year, decree, updated_at) values ($1, $2, $3) on conflict (year) do update set decree = $2, updated_at = $3`, [
          y.year,
          json(y),
          at,
        ]);
      }
    });
  }

  // ── calendar edits (console / API) ───────────────────────────────────────

  async calendarOverrides(): Promise<CalendarOverride[]> {
    const rows = await this.db.query('select * from calendar_overrides order by date');
    return rows.map((r) => ({
      date: r.date as string,
      action: r.action as CalendarOverride['action'],
      kind: (r.kind as CalendarOverride['kind']) ?? null,
      name: (r.name as string | null) ?? null,
      pairDate: (r.pair_date as string | null) ?? null,
      createdBy: r.created_by as string,
      createdAt: instant(r.created_at),
    }));
  }

  async saveCalendarOverrides(
    change: { readonly insert: readonly Omit<CalendarOverride, 'createdAt'>[]; readonly deleteDates: readonly string[] },
    audit: { readonly actor: string; readonly year: number; readonly action: string; readonly detail: unknown },
    now: DateTime,
  ): Promise<boolean> {
    const at = iso(now);
    return this.db.transaction(async (tx) => {
      if (change.deleteDates.length > 0) await tx.query('delete from calendar_overrides where date = any($1::date[])', [change.deleteDates]);
      for (const o of change.insert) {
        const inserted = await tx.query(
          `insert into calendar_overrides (date, year, action, kind, name, pair_date, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (date) do nothing returning 1`,
          [o.date, Number(o.date.slice(0, 4)), o.action, o.kind, o.name, o.pairDate, o.createdBy, at],
        );
        // Someone edited the same date first: the whole change goes (the transaction rolls back).
        if (inserted.length === 0) throw new CalendarConflict();
      }
      await tx.query('insert into audit_log (at, actor, entity, entity_id, action, detail) values ($1, $2, $3, $4, $5, $6)', [at, audit.actor, 'calendar', String(audit.year), audit.action, json(audit.detail)]);
      return true;
    }).catch((e: unknown) => {
      if (e instanceof CalendarConflict) return false;
      throw e;
    });
  }

  // ── planning ─────────────────────────────────────────────────────────────

  async obligations(ids?: readonly string[]): Promise<StoredObligation[]> {
    const rows = ids
      ? await this.db.query('select * from obligations where deleted_at is null and id = any($1::text[]) order by id', [ids])
      : await this.db.query('select * from obligations where deleted_at is null order by id');
    return rows.map(obligationOf);
  }

  async deletedWithPlannedSteps(): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `select distinct o.id from obligations o join reminder_steps s on s.obligation_id = o.id
       where o.deleted_at is not null and s.status = 'planned'`,
    );
    return rows.map((r) => r.id);
  }

  async unitTree(): Promise<{ id: string; parent: string | null }[]> {
    const rows = await this.db.query<{ id: string; parent_id: string | null }>('select id, parent_id from units where deleted_at is null');
    return rows.map((r) => ({ id: r.id, parent: r.parent_id }));
  }

  async saveOccurrences(obligationId: string, occurrences: readonly Occurrence[], unitIds: readonly string[], now: DateTime): Promise<void> {
    if (occurrences.length === 0) return;
    await this.db.transaction(async (tx) => {
      await tx.query(
        `insert into occurrences (obligation_id, key, nominal_due, effective_due, literal_date, window_start)
         select $1, x.key, x.nominal_due::date, x.effective_due::date, x.literal_date::date, x.window_start::date
         from jsonb_to_recordset($2::jsonb) as x(key text, nominal_due text, effective_due text, literal_date text, window_start text)
         on conflict (obligation_id, key) do update set nominal_due = excluded.nominal_due, effective_due = excluded.effective_due,
           literal_date = excluded.literal_date, window_start = excluded.window_start`,
        [
          obligationId,
          json(occurrences.map((o) => ({ key: o.key, nominal_due: o.nominalDue, effective_due: o.effectiveDue, literal_date: o.literalDate ?? null, window_start: o.windowStart ?? null }))),
        ],
      );
      if (unitIds.length === 0) return;
      // A unit's own progress is never reset by planning: only a still-pending assignment follows a new due.
      await tx.query(
        `insert into assignments (obligation_id, occurrence_key, unit_id, status, due, updated_at)
         select $1, o.key, u.id, 'pending', o.effective_due, $4
         from occurrences o cross join unnest($3::text[]) as u(id)
         join units un on un.id = u.id
         where o.obligation_id = $1 and o.key = any($2::text[]) and (un.joined_on is null or o.effective_due >= un.joined_on)
         on conflict (obligation_id, occurrence_key, unit_id) do update set due = excluded.due, updated_at = excluded.updated_at,
             -- the planner's next step (markOverdue) makes it overdue again if the new due has passed too
             status = 'pending'
           where assignments.status in ('pending', 'overdue') and assignments.due <> excluded.due
             and not exists (select 1 from extension_requests r where r.obligation_id = assignments.obligation_id
               and r.occurrence_key = assignments.occurrence_key and r.unit_id = assignments.unit_id and r.status = 'approved')`,
        [obligationId, occurrences.map((o) => o.key), unitIds, iso(now)],
      );
    });
  }

  async steps(obligationId: string): Promise<StepRow[]> {
    const rows = await this.db.query('select * from reminder_steps where obligation_id = $1', [obligationId]);
    return rows.map(stepOf);
  }

  async withdrawAssignments(
    obligationId: string,
    unitIds: readonly string[],
    reason: string,
    now: DateTime,
    produced?: { from: string; to: string; keys: readonly string[] },
  ): Promise<number> {
    const rows = await this.db.query(
      `update assignments a set status = 'waived', waived_reason = $3, updated_at = $4
       from occurrences oc
       where oc.obligation_id = a.obligation_id and oc.key = a.occurrence_key
         and a.obligation_id = $1 and a.status in ('pending', 'extended', 'overdue')
         and (a.unit_id <> all($2::text[])
              or ($5::date is not null and oc.nominal_due between $5::date and $6::date and a.occurrence_key <> all($7::text[])))
       returning 1`,
      [obligationId, unitIds, reason, iso(now), produced?.from ?? null, produced?.to ?? null, produced?.keys ?? []],
    );
    return rows.length;
  }

  async queuedDeliveries(before: DateTime, limit: number): Promise<{ idempotencyKey: string; messageKey: string; urgent: boolean }[]> {
    const rows = await this.db.query<{ idempotency_key: string; message_key: string; urgent: boolean }>(
      `select idempotency_key, message_key, urgent from deliveries where status = 'queued' and updated_at < $1 order by updated_at limit $2`,
      [iso(before), limit],
    );
    return rows.map((r) => ({ idempotencyKey: r.idempotency_key, messageKey: r.message_key, urgent: r.urgent }));
  }

  async staleClaims(staleBefore: DateTime, limit: number): Promise<{ idempotencyKey: string; messageKey: string; urgent: boolean; claimedAt: DateTime }[]> {
    // No index on 'sending' rows (no migration for it): they are few, and this runs once per planner tick.
    const rows = await this.db.query<{ idempotency_key: string; message_key: string; urgent: boolean; updated_at: unknown }>(
      `select idempotency_key, message_key, urgent, updated_at from deliveries where status = 'sending' and updated_at < $1 order by updated_at limit $2`,
      [iso(staleBefore), limit],
    );
    return rows.map((r) => ({ idempotencyKey: r.idempotency_key, messageKey: r.message_key, urgent: r.urgent, claimedAt: instant(r.updated_at) }));
  }

  async extendedAssignments(obligationId: string): Promise<{ occurrenceKey: string; unitId: string; due: string }[]> {
    const rows = await this.db.query<{ occurrence_key: string; unit_id: string; due: string }>(
      `select a.occurrence_key, a.unit_id, a.due from assignments a
       join occurrences oc on oc.obligation_id = a.obligation_id and oc.key = a.occurrence_key
       where a.obligation_id = $1 and a.status in ('pending', 'extended', 'overdue') and a.due <> oc.effective_due`,
      [obligationId],
    );
    return rows.map((r) => ({ occurrenceKey: r.occurrence_key, unitId: r.unit_id, due: r.due }));
  }

  async saveSteps(rows: readonly StepRow[], now: DateTime): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `insert into reminder_steps (obligation_id, occurrence_key, step, revision, fire_at, status, reason, updated_at)
       select x.obligation_id, x.occurrence_key, x.step, x.revision, x.fire_at::timestamptz, x.status, x.reason, $2
       from jsonb_to_recordset($1::jsonb) as x(obligation_id text, occurrence_key text, step text, revision int, fire_at text, status text, reason text)
       on conflict (obligation_id, occurrence_key, step) do update set revision = excluded.revision, fire_at = excluded.fire_at,
         status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at`,
      [
        json(rows.map((r) => ({ obligation_id: r.obligationId, occurrence_key: r.occurrenceKey, step: r.step, revision: r.revision, fire_at: iso(r.fireAt), status: r.status, reason: r.reason ?? null }))),
        iso(now),
      ],
    );
  }

  async cancelPlannedSteps(obligationId: string, keep: (row: StepRow) => boolean, now: DateTime): Promise<StepRow[]> {
    const planned = (await this.steps(obligationId)).filter((r) => r.status === 'planned' && !keep(r));
    if (planned.length === 0) return [];
    await this.db.query(
      `update reminder_steps set status = 'cancelled', reason = 'obligation changed', updated_at = $3
       where obligation_id = $1 and status = 'planned' and (occurrence_key || '|' || step) = any($2::text[])`,
      [obligationId, planned.map((r) => `${r.occurrenceKey}|${r.step}`), iso(now)],
    );
    return planned;
  }

  /** The soonest planned steps, for the start banner and `hanchot status`. */
  async nextPlannedSteps(limit: number): Promise<{ obligationId: string; title: string; occurrenceKey: string; step: string; fireAt: DateTime; nominalDue: string }[]> {
    const rows = await this.db.query(
      `select s.obligation_id, o.title, s.occurrence_key, s.step, s.fire_at, oc.nominal_due
       from reminder_steps s join obligations o on o.id = s.obligation_id
       join occurrences oc on oc.obligation_id = s.obligation_id and oc.key = s.occurrence_key
       where s.status = 'planned' order by s.fire_at, s.obligation_id limit $1`,
      [limit],
    );
    return rows.map((r) => ({
      obligationId: r.obligation_id as string,
      title: r.title as string,
      occurrenceKey: r.occurrence_key as string,
      step: r.step as string,
      fireAt: instant(r.fire_at),
      nominalDue: r.nominal_due as string,
    }));
  }

  // ── fan-out ──────────────────────────────────────────────────────────────

  async step(obligationId: string, occurrenceKey: string, step: string): Promise<StepRow | undefined> {
    const rows = await this.db.query('select * from reminder_steps where obligation_id = $1 and occurrence_key = $2 and step = $3', [obligationId, occurrenceKey, step]);
    return rows[0] && stepOf(rows[0]);
  }

  async pendingRecipients(
    obligationId: string,
    occurrenceKey: string,
    unitId?: string,
    page?: { readonly after?: { readonly unitId: string; readonly contactId: string }; readonly limit: number },
  ): Promise<PendingRecipient[]> {
    const rows = await this.db.query(
      `select a.unit_id, u.name as unit_name, c.id as contact_id, c.name, c.email, c.phone, c.zalo_user_id, c.channels
       from assignments a
       join occurrences oc on oc.obligation_id = a.obligation_id and oc.key = a.occurrence_key
       join units u on u.id = a.unit_id and u.deleted_at is null
       join contacts c on c.unit_id = a.unit_id and c.deleted_at is null
       where a.obligation_id = $1 and a.occurrence_key = $2 and a.status in ('pending', 'extended', 'overdue')
         and (case when $3::text is null then a.due = oc.effective_due else a.unit_id = $3 end)
         and ($4::text is null or (a.unit_id, c.id) > ($4::text, $5::text))
       order by a.unit_id, c.id
       limit $6`,
      [obligationId, occurrenceKey, unitId ?? null, page?.after?.unitId ?? null, page?.after?.contactId ?? null, page?.limit ?? null],
    );
    return rows.map(recipientRow);
  }

  async insertDeliveries(rows: readonly NewDelivery[], now: DateTime): Promise<string[]> {
    if (rows.length === 0) return [];
    const inserted = await this.db.query<{ idempotency_key: string }>(
      `insert into deliveries (idempotency_key, message_key, obligation_id, occurrence_key, unit_id, step, contact_id, channel, recipient,
                               fire_at, urgent, status, error_code, error, fallback_from, purpose, content, created_at, updated_at)
       select x.idempotency_key, x.message_key, x.obligation_id, x.occurrence_key, x.unit_id, x.step, x.contact_id, x.channel, x.recipient,
              x.fire_at::timestamptz, x.urgent, case when x.skip_reason is null then 'queued' else 'skipped' end,
              case when x.skip_reason is null then null else 'no_address' end, x.skip_reason, x.fallback_from, x.purpose, x.content, $2, $2
       from jsonb_to_recordset($1::jsonb) as x(idempotency_key text, message_key text, obligation_id text, occurrence_key text, unit_id text,
            step text, contact_id text, channel text, recipient text, fire_at text, urgent boolean, skip_reason text, fallback_from text,
            purpose text, content jsonb)
       on conflict (idempotency_key) do nothing
       returning idempotency_key`,
      [
        json(
          rows.map((r) => ({
            idempotency_key: r.idempotencyKey,
            message_key: r.messageKey,
            obligation_id: r.obligationId,
            occurrence_key: r.occurrenceKey,
            unit_id: r.unitId,
            step: r.step,
            contact_id: r.contactId,
            channel: r.channel,
            recipient: r.recipient,
            fire_at: iso(r.fireAt),
            urgent: r.urgent,
            skip_reason: r.skipReason ?? null,
            fallback_from: r.fallbackFrom ?? null,
            purpose: r.purpose ?? 'reminder',
            content: r.content ?? null,
          })),
        ),
        iso(now),
      ],
    );
    return inserted.map((r) => r.idempotency_key);
  }

  async markStep(obligationId: string, occurrenceKey: string, step: string, status: StepStatus, reason: string | null, now: DateTime): Promise<void> {
    await this.db.query('update reminder_steps set status = $4, reason = $5, updated_at = $6 where obligation_id = $1 and occurrence_key = $2 and step = $3', [
      obligationId,
      occurrenceKey,
      step,
      status,
      reason,
      iso(now),
    ]);
  }

  // ── delivery ─────────────────────────────────────────────────────────────

  async claimMessage(messageKey: string, claimer: string, now: DateTime, countAttempt: boolean, staleBefore?: DateTime): Promise<ClaimedDelivery[]> {
    // The same rule as claimable() in src/app/deliver.ts (test/adapters/claim-lease.int.test.ts holds them together).
    // The status test is written as `in (...)` on purpose: as `status = 'queued' or (status =
    // 'sending' and ...)` PostgreSQL may OR the partial 'queued' and 'sending' indexes and AND them
    // with the message's, and during a burst (statistics not yet analysed) it did, reading every
    // queued and sending row for each message: ~5 ms of PostgreSQL per message at 60,000 units,
    // 0.25 ms this way. The rule is the same: queued, or sending and (its own claim or stale).
    const rows = await this.db.query(
      `with claimed as (
         update deliveries set status = 'sending', claimed_by = $2, updated_at = $3, attempts = attempts + $4
         where message_key = $1 and status in ('queued', 'sending') and (status <> 'sending' or claimed_by = $2 or updated_at < $5::timestamptz)
         returning *)
       select d.idempotency_key, d.obligation_id, d.occurrence_key, d.step, d.unit_id, d.contact_id, d.channel, d.urgent, d.attempts, d.fire_at,
              d.purpose, d.content,
              u.name as unit_name, c.name as contact_name, c.email, c.phone, c.zalo_user_id, c.channels,
              coalesce(o.title, '') as title, o.rule, coalesce(dir.number, '') as directive_number, coalesce(dir.title, '') as directive_title,
              -- After an extension the unit's own due is what it is reminded of.
              coalesce((case when a.due <> oc.effective_due then a.due else oc.nominal_due end)::text, d.occurrence_key) as nominal_due,
              coalesce(a.due::text, oc.effective_due::text, d.occurrence_key) as effective_due,
              case when d.purpose = 'digest' then true else coalesce(a.status in ('pending', 'extended', 'overdue'), false) end as still_pending,
              coalesce(d.purpose = 'reminder' and a.acknowledged_step = d.step, false) as acknowledged
       from claimed d
       join units u on u.id = d.unit_id
       join contacts c on c.id = d.contact_id
       left join obligations o on o.id = d.obligation_id
       left join directives dir on dir.id = o.directive_id
       left join occurrences oc on oc.obligation_id = d.obligation_id and oc.key = d.occurrence_key
       left join assignments a on a.obligation_id = d.obligation_id and a.occurrence_key = d.occurrence_key and a.unit_id = d.unit_id
       order by nominal_due, d.idempotency_key`,
      [messageKey, claimer, iso(now), countAttempt ? 1 : 0, staleBefore ? iso(staleBefore) : null],
    );
    return rows.map((r) => ({
      idempotencyKey: r.idempotency_key as string,
      obligationId: r.obligation_id as string,
      occurrenceKey: r.occurrence_key as string,
      step: r.step as string,
      unitId: r.unit_id as string,
      unitName: r.unit_name as string,
      contactId: r.contact_id as string,
      contactName: r.contact_name as string,
      email: (r.email as string | null) ?? null,
      phone: (r.phone as string | null) ?? null,
      zaloUserId: (r.zalo_user_id as string | null) ?? null,
      channels: (r.channels as ChannelName[] | null) ?? null,
      fireAt: instant(r.fire_at),
      channel: r.channel as ClaimedDelivery['channel'],
      urgent: r.urgent as boolean,
      attempts: Number(r.attempts),
      title: r.title as string,
      rule: r.rule as ClaimedDelivery['rule'],
      directiveNumber: r.directive_number as string,
      directiveTitle: r.directive_title as string,
      nominalDue: r.nominal_due as string,
      effectiveDue: r.effective_due as string,
      stillPending: r.still_pending as boolean,
      acknowledged: r.acknowledged as boolean,
      purpose: r.purpose as ClaimedDelivery['purpose'],
      content: r.content ?? null,
    }));
  }

  // ── channel tokens ───────────────────────────────────────────────────────

  async readToken(appId: string): Promise<StoredTokenPair | undefined> {
    const [r] = await this.db.query('select * from zalo_tokens where app_id = $1', [appId]);
    if (!r) return undefined;
    const at = (v: unknown) => (v ? instant(v) : null);
    return {
      appId: r.app_id as string,
      accessToken: (r.access_token as string | null) ?? null,
      refreshToken: r.refresh_token as string,
      accessIssuedAt: at(r.access_issued_at),
      accessExpiresAt: at(r.access_expires_at),
      refreshExpiresAt: at(r.refresh_expires_at),
      seededFrom: r.seeded_from as string,
      status: r.status as StoredTokenPair['status'],
      statusReason: (r.status_reason as string | null) ?? null,
      refreshCount: Number(r.refresh_count),
    };
  }

  async writeToken(p: StoredTokenPair, now: DateTime): Promise<void> {
    const at = (v: DateTime | null) => (v ? iso(v) : null);
    await this.db.query(
      `insert into zalo_tokens (app_id, access_token, refresh_token, access_issued_at, access_expires_at, refresh_expires_at, seeded_from, status, status_reason, refresh_count, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (app_id) do update set access_token = $2, refresh_token = $3, access_issued_at = $4, access_expires_at = $5, refresh_expires_at = $6,
         seeded_from = $7, status = $8, status_reason = $9, refresh_count = $10, updated_at = $11`,
      [p.appId, p.accessToken, p.refreshToken, at(p.accessIssuedAt), at(p.accessExpiresAt), at(p.refreshExpiresAt), p.seededFrom, p.status, p.statusReason, p.refreshCount, iso(now)],
    );
  }

  async recordQuota(appId: string, quota: { daily: number; remaining: number }, now: DateTime): Promise<void> {
    await this.db.query('update zalo_tokens set zns_daily_quota = $2, zns_remaining_quota = $3, quota_observed_at = $4 where app_id = $1', [
      appId,
      quota.daily,
      quota.remaining,
      iso(now),
    ]);
  }

  async noteDeferred(messageKey: string, reason: string, now: DateTime): Promise<void> {
    await this.db.query(
      `update deliveries set error_code = 'deferred', error = $2, updated_at = $3 where message_key = $1 and status = 'queued'`,
      [messageKey, reason, iso(now)],
    );
  }

  async finish(keys: readonly string[], outcome: DeliveryOutcome, now: DateTime): Promise<void> {
    if (keys.length === 0) return;
    const at = iso(now);
    const code = outcome.status === 'sent' ? null : outcome.status === 'skipped' ? (outcome.code ?? 'skipped') : outcome.code;
    const fellBackTo = outcome.status === 'failed' ? (outcome.fellBackTo ?? null) : null;
    const meaning = outcome.status === 'failed' ? (outcome.meaning ?? null) : null;
    const error = outcome.status === 'sent' ? null : outcome.error;
    await this.db.query(
      `update deliveries set status = $2, provider_id = $3, error_code = $4, error = $5, updated_at = $6,
         sent_at = case when $2 = 'sent' then $6::timestamptz else sent_at end,
         claimed_by = case when $2 = 'queued' then null else claimed_by end,
         fell_back_to = coalesce($7, fell_back_to),
         error_meaning = coalesce($8, error_meaning)
       where idempotency_key = any($1::text[])`,
      [keys, outcome.status, outcome.status === 'sent' ? outcome.providerId : null, code, error, at, fellBackTo, meaning],
    );
  }
}

class CalendarConflict extends Error {}

function pick(record: unknown, fields: readonly string[]): Row {
  return Object.fromEntries(fields.map((f) => [f, (record as Row)[f] ?? null]));
}

function directiveOf(r: Row): DirectiveRecord {
  return {
    id: r.id as string,
    number: r.number as string,
    issuer: r.issuer as string,
    issuedOn: r.issued_on as string,
    title: r.title as string,
    source: (r.source as string | null) ?? null,
    termFrom: (r.term_from as string | null) ?? null,
    termUntil: (r.term_until as string | null) ?? null,
    assumed: (r.assumed as string | null) ?? null,
  };
}

function unitOf(r: Row): UnitRecord {
  return {
    id: r.id as string,
    parentId: (r.parent_id as string | null) ?? null,
    name: r.name as string,
    kind: r.kind as UnitRecord['kind'],
    leaderContactId: (r.leader_contact_id as string | null) ?? null,
    standingCommittee: (r.standing_committee as string[] | null) ?? null,
  };
}

function contactOf(r: Row): ContactRecord {
  return {
    id: r.id as string,
    unitId: r.unit_id as string,
    name: r.name as string,
    role: (r.role as string | null) ?? null,
    email: (r.email as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    zaloUserId: (r.zalo_user_id as string | null) ?? null,
    channels: (r.channels as ChannelName[] | null) ?? null,
  };
}

function obligationOf(r: Row): StoredObligation {
  const record: ObligationRecord = {
    id: r.id as string,
    directiveId: r.directive_id as string,
    title: r.title as string,
    clause: (r.clause as string | null) ?? null,
    sentence: (r.sentence as string | null) ?? null,
    phrase: (r.phrase as string | null) ?? null,
    rule: r.rule as ObligationRecord['rule'],
    roll: r.roll as ObligationRecord['roll'],
    ladder: (r.ladder as string[] | null) ?? null,
    escalation: (r.escalation as ObligationRecord['escalation']) ?? null,
    validFrom: (r.valid_from as string | null) ?? null,
    validUntil: (r.valid_until as string | null) ?? null,
    assignees: r.assignees as ObligationRecord['assignees'],
    assumed: (r.assumed as string | null) ?? null,
    note: (r.note as string | null) ?? null,
  };
  return { ...record, revision: Number(r.revision) };
}

function stepOf(r: Row): StepRow {
  return {
    obligationId: r.obligation_id as string,
    occurrenceKey: r.occurrence_key as string,
    step: r.step as string,
    revision: Number(r.revision),
    fireAt: instant(r.fire_at),
    status: r.status as StepStatus,
    reason: (r.reason as string | null) ?? null,
  };
}

export type { Sql };
