import type { DateTime } from 'luxon';
import type { Database } from './database.js';

/**
 * Forward-only migrations. Never edit one that has shipped: add the next. Decisions never call
 * now(): every timestamp is a parameter given by the caller's Clock.
 */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_record',
    sql: `
create table directives (
  id          text primary key,
  number      text not null,
  issuer      text not null,
  issued_on   date not null,
  title       text not null,
  source      text,
  term_from   date,
  term_until  date,
  assumed     text,
  deleted_at  timestamptz,
  updated_at  timestamptz not null
);

-- The organisation tree (LĐLĐ tỉnh → huyện → công đoàn cơ sở).
create table units (
  id                 text primary key,
  parent_id          text references units (id) deferrable initially deferred,
  name               text not null,
  kind               text not null,
  leader_contact_id  text,
  deleted_at         timestamptz,
  updated_at         timestamptz not null
);
create index units_parent on units (parent_id);

create table contacts (
  id            text primary key,
  unit_id       text not null references units (id) deferrable initially deferred,
  name          text not null,
  role          text,
  email         text,
  phone         text,
  zalo_user_id  text,
  deleted_at    timestamptz,
  updated_at    timestamptz not null
);
create index contacts_unit on contacts (unit_id);

create table obligations (
  id            text primary key,
  directive_id  text not null references directives (id),
  title         text not null,
  clause        text,
  sentence      text,
  phrase        text,
  rule          jsonb not null,
  roll          text not null,
  ladder        jsonb,
  valid_from    date,
  valid_until   date,
  assignees     jsonb not null,
  assumed       text,
  note          text,
  -- Bumped when anything that decides dates or recipients changes: jobs of older revisions are stale.
  revision      integer not null default 1,
  deleted_at    timestamptz,
  updated_at    timestamptz not null
);

create table occurrences (
  obligation_id  text not null references obligations (id),
  key            text not null,
  nominal_due    date not null,
  effective_due  date not null,
  literal_date   date,
  window_start   date,
  primary key (obligation_id, key)
);

create table assignments (
  obligation_id   text not null,
  occurrence_key  text not null,
  unit_id         text not null references units (id),
  status          text not null default 'pending'
                  check (status in ('pending', 'done_on_time', 'done_late', 'overdue', 'waived', 'extended')),
  due             date not null,
  completed_at    timestamptz,
  note            text,
  evidence        text,
  updated_at      timestamptz not null,
  primary key (obligation_id, occurrence_key, unit_id),
  foreign key (obligation_id, occurrence_key) references occurrences (obligation_id, key)
);
create index assignments_unit on assignments (unit_id, status);

-- One row per (occurrence, ladder step) the planner has seen: Redis holds only the timer.
create table reminder_steps (
  obligation_id   text not null,
  occurrence_key  text not null,
  step            text not null,
  revision        integer not null,
  fire_at         timestamptz not null,
  status          text not null check (status in ('planned', 'fired', 'skipped', 'cancelled')),
  reason          text,
  updated_at      timestamptz not null,
  primary key (obligation_id, occurrence_key, step),
  foreign key (obligation_id, occurrence_key) references occurrences (obligation_id, key)
);
create index reminder_steps_planned on reminder_steps (fire_at) where status = 'planned';

create table deliveries (
  id               bigint generated always as identity primary key,
  -- obligation · occurrence · unit · step · contact · channel: the guard against sending twice.
  idempotency_key  text not null unique,
  -- Every item for one contact on one channel at one instant goes out as one message.
  message_key      text not null,
  obligation_id    text not null,
  occurrence_key   text not null,
  unit_id          text not null,
  step             text not null,
  contact_id       text not null,
  channel          text not null,
  recipient        text,
  fire_at          timestamptz not null,
  urgent           boolean not null default false,
  status           text not null default 'queued'
                   check (status in ('queued', 'sending', 'sent', 'failed', 'skipped')),
  claimed_by       text,
  attempts         integer not null default 0,
  provider_id      text,
  error_code       text,
  error            text,
  created_at       timestamptz not null,
  updated_at       timestamptz not null,
  sent_at          timestamptz
);
create index deliveries_message on deliveries (message_key);
create index deliveries_occurrence on deliveries (obligation_id, occurrence_key);

create table audit_log (
  id         bigint generated always as identity primary key,
  at         timestamptz not null,
  actor      text not null,
  entity     text not null,
  entity_id  text not null,
  action     text not null,
  detail     jsonb
);
create index audit_log_entity on audit_log (entity, entity_id);

-- The working calendar as loaded: statutory rules and each year's decree, for the record.
create table calendar_rules (
  id          integer primary key check (id = 1),
  rules       jsonb not null,
  updated_at  timestamptz not null
);
create table calendar_years (
  year        integer primary key,
  decree      jsonb not null,
  updated_at  timestamptz not null
);
`,
  },
  {
    id: '0002_channels_zalo',
    sql: `
-- Ordered channel preference per contact (null: Zalo ZNS when a phone is known, then email).
alter table contacts add column channels jsonb;

alter table deliveries add column fallback_from text;
alter table deliveries add column fell_back_to text;
alter table deliveries add column error_meaning text;

-- The OA's token pair. The refresh token works once (Zalo rotates it), so the new pair is written
-- here before it is used; status 'needs_consent' stops every worker from trying again.
create table zalo_tokens (
  app_id               text primary key,
  access_token         text,
  refresh_token        text not null,
  access_issued_at     timestamptz,
  access_expires_at    timestamptz,
  refresh_expires_at   timestamptz,
  seeded_from          text not null,
  status               text not null check (status in ('ok', 'needs_consent')),
  status_reason        text,
  refresh_count        integer not null default 0,
  zns_daily_quota      integer,
  zns_remaining_quota  integer,
  quota_observed_at    timestamptz,
  updated_at           timestamptz not null
);
`,
  },
  {
    id: '0003_completion_escalation',
    sql: `
-- Ban Thường vụ: the contacts of a unit told when a unit below it is overdue (null: its leader).
alter table units add column standing_committee jsonb;
-- Per-obligation escalation policy (null: the default in config/settings.yaml).
alter table obligations add column escalation jsonb;

alter table assignments add column completed_by text;
alter table assignments add column acknowledged_at timestamptz;
alter table assignments add column acknowledged_step text;
alter table assignments add column acknowledged_by text;
alter table assignments add column waived_reason text;
create index assignments_open_due on assignments (due) where status in ('pending', 'extended', 'overdue');

-- Gia hạn: asked by a unit, decided by an admin of the parent unit.
create table extension_requests (
  id              bigint generated always as identity primary key,
  obligation_id   text not null,
  occurrence_key  text not null,
  unit_id         text not null,
  reason          text not null,
  proposed_due    date not null,
  previous_due    date not null,
  status          text not null check (status in ('pending', 'approved', 'rejected')),
  requested_by    text not null,
  requested_at    timestamptz not null,
  decided_by      text,
  decided_at      timestamptz,
  decision_note   text,
  foreign key (obligation_id, occurrence_key, unit_id) references assignments (obligation_id, occurrence_key, unit_id)
);
-- At most one open request per assignment.
create unique index extension_requests_one_pending on extension_requests (obligation_id, occurrence_key, unit_id) where status = 'pending';

-- One row per escalation notice the planner has seen (assignment · level · repeat); Redis holds the timer.
create table escalation_steps (
  obligation_id   text not null,
  occurrence_key  text not null,
  unit_id         text not null,
  level           integer not null,
  repeat          integer not null,
  due             date not null,
  fire_at         timestamptz not null,
  status          text not null check (status in ('planned', 'fired', 'skipped', 'cancelled')),
  reason          text,
  updated_at      timestamptz not null,
  primary key (obligation_id, occurrence_key, unit_id, level, repeat)
);
create index escalation_steps_planned on escalation_steps (fire_at) where status = 'planned';

-- The weekly leadership digest: one row per run date.
create table digest_runs (
  run_on      date primary key,
  fire_at     timestamptz not null,
  status      text not null check (status in ('planned', 'fired', 'skipped')),
  reason      text,
  updated_at  timestamptz not null
);

-- What a delivery is: a reminder, an escalation notice or a leadership digest; content is what
-- the message says, frozen when it was fanned out (escalation history, digest figures).
alter table deliveries add column purpose text not null default 'reminder' check (purpose in ('reminder', 'escalation', 'digest'));
alter table deliveries add column content jsonb;
create index deliveries_assignment on deliveries (obligation_id, occurrence_key, unit_id);
-- The planner puts back the jobs of deliveries still queued (Redis may have lost them).
create index deliveries_queued on deliveries (updated_at) where status = 'queued';
`,
  },
  {
    id: '0004_access',
    sql: `
-- People who sign in to the console. Passwords are scrypt hashes ("scrypt$N$r$p$salt$hash").
create table users (
  id             bigint generated always as identity primary key,
  username       text not null unique,
  display_name   text not null,
  password_hash  text not null,
  role           text not null check (role in ('admin', 'officer', 'viewer')),
  unit_id        text references units (id),
  disabled_at    timestamptz,
  created_at     timestamptz not null,
  updated_at     timestamptz not null
);

-- Machine tokens for the API: only a SHA-256 of the token is kept (the token is shown once).
create table api_tokens (
  id            bigint generated always as identity primary key,
  name          text not null,
  token_hash    text not null unique,
  role          text not null check (role in ('admin', 'officer', 'viewer')),
  unit_id       text references units (id),
  created_by    text not null,
  created_at    timestamptz not null,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);

-- Console sessions: the cookie holds a random id; only its SHA-256 is kept.
create table sessions (
  id_hash     text primary key,
  user_id     bigint not null references users (id),
  csrf_token  text not null,
  created_at  timestamptz not null,
  expires_at  timestamptz not null
);
create index sessions_expiry on sessions (expires_at);
`,
  },
  {
    id: '0005_origin',
    sql: `
-- Where a catalogue row is managed: config/ (YAML, synced at start) or the console/API. A sync
-- only compares and changes 'config' rows, so what admins enter in the console survives it.
alter table directives add column origin text not null default 'config' check (origin in ('config', 'console'));
alter table units add column origin text not null default 'config' check (origin in ('config', 'console'));
alter table contacts add column origin text not null default 'config' check (origin in ('config', 'console'));
alter table obligations add column origin text not null default 'config' check (origin in ('config', 'console'));
`,
  },
  {
    id: '0006_unit_joined',
    sql: `
-- A unit added while the service runs owes nothing that fell due before it joined (null: it
-- owes everything the planner looks back on, as on a first install).
alter table units add column joined_on date;
`,
  },
  {
    id: '0007_calendar_overrides',
    sql: `
-- Calendar edits made by an admin of the root unit in the console or the API, layered over the
-- years of config/calendar: 'add' puts a day (a swap's day off or make-up day, or an extra day
-- off) into the year; 'remove' takes out the day a config/ decree lists on that date. One edit
-- per date; the two days of a swap name each other (pair_date) and go together.
create table calendar_overrides (
  date        date primary key,
  year        int not null,
  action      text not null check (action in ('add', 'remove')),
  kind        text check (kind in ('holiday', 'swap_off', 'swap_work')),
  name        text,
  pair_date   date,
  created_by  text not null,
  created_at  timestamptz not null,
  check (action = 'remove' or (kind is not null and name is not null))
);
create index calendar_overrides_year on calendar_overrides (year);
`,
  },
  {
    id: '0008_obligation_drafts',
    sql: `
-- Obligations proposed by directive import (hanchot import, the console's import page). A draft
-- is never planned: accepting it creates an ordinary obligation (obligation_id), rejecting it
-- keeps the decision. 'accepting' holds a draft while one admin's accept is being written, so a
-- second admin cannot create it twice. A re-import replaces the directive's undecided drafts only.
-- unit_id: the unit of the admin who imported it (the root for the CLI); only admins over that
-- unit review the drafts.
create table obligation_drafts (
  id            bigint generated always as identity primary key,
  directive_id  text not null references directives (id),
  position      int not null,
  unit_id       text not null references units (id),
  status        text not null default 'draft' check (status in ('draft', 'accepting', 'accepted', 'rejected')),
  draft         jsonb not null,
  obligation_id text references obligations (id),
  created_by    text not null,
  created_at    timestamptz not null,
  decided_by    text,
  decided_at    timestamptz,
  unique (directive_id, position)
);
`,
  },
  {
    id: '0009_sending_lease',
    sql: `
-- The planner looks for claims older than the lease (a worker killed mid-send) every tick: an
-- index over the few rows in flight, not a scan of every delivery ever made.
create index deliveries_sending on deliveries (updated_at) where status = 'sending';
`,
  },
  {
    id: '0010_escalation_notices',
    sql: `
-- Escalation is planned per notice of an occurrence (obligation · occurrence · due · level ·
-- repeat), as reminders are per step: the units of an occurrence on the same due share every
-- notice instant. One row and one timer per notice, whatever the number of units; a unit's own
-- row in escalation_steps is written when the notice fires (sent or skipped, and why).
create table escalation_notices (
  obligation_id   text not null,
  occurrence_key  text not null,
  due             date not null,
  level           integer not null,
  repeat          integer not null,
  fire_at         timestamptz not null,
  status          text not null check (status in ('planned', 'fired', 'skipped', 'cancelled')),
  reason          text,
  updated_at      timestamptz not null,
  primary key (obligation_id, occurrence_key, due, level, repeat)
);
create index escalation_notices_planned on escalation_notices (fire_at) where status = 'planned';

-- Notices planned per unit by earlier versions become the occurrence's notices.
insert into escalation_notices (obligation_id, occurrence_key, due, level, repeat, fire_at, status, updated_at)
  select obligation_id, occurrence_key, due, level, repeat, min(fire_at), 'planned', max(updated_at)
  from escalation_steps where status = 'planned'
  group by obligation_id, occurrence_key, due, level, repeat;
delete from escalation_steps where status = 'planned';
-- escalation_steps now holds outcomes only: nothing looks for its planned rows.
drop index escalation_steps_planned;
`,
  },
];

export class MigrationError extends Error {}

/** Applies every pending migration in order, each in its own transaction; returns the ids applied. */
export async function migrate(db: Database, now: DateTime, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  await db.exec(`create table if not exists schema_migrations (id text primary key, applied_at timestamptz not null)`);
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      // Two processes starting together: the second waits here, then sees the row and skips.
      if (db.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7291001)');
      const rows = await tx.query('select 1 from schema_migrations where id = $1', [migration.id]);
      if (rows.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (id, applied_at) values ($1, $2)', [migration.id, now.toISO()]);
      return true;
    });
    if (done) applied.push(migration.id);
  }
  const known = new Set(migrations.map((m) => m.id));
  const unknown = (await db.query<{ id: string }>('select id from schema_migrations order by id')).filter((r) => !known.has(r.id));
  if (unknown.length > 0) {
    throw new MigrationError(`cơ sở dữ liệu có migration mà bản này không biết (${unknown.map((r) => r.id).join(', ')}): hãy chạy bản mới hơn`);
  }
  return applied;
}
