import type { DateTime } from 'luxon';
import type { DraftRecord, DraftStatus, DraftStore } from '../../app/directive-import.js';
import type { ObligationDraft } from '../../domain/extract/index.js';
import type { Database } from './database.js';

type Row = Record<string, unknown>;
const iso = (t: DateTime): string => t.toUTC().toISO()!;

const draftOf = (r: Row): DraftRecord => ({
  id: Number(r.id),
  directiveId: String(r.directive_id),
  position: Number(r.position),
  unitId: String(r.unit_id),
  status: r.status as DraftStatus,
  draft: (typeof r.draft === 'string' ? JSON.parse(r.draft) : r.draft) as ObligationDraft,
  obligationId: (r.obligation_id as string | null) ?? null,
  decidedBy: (r.decided_by as string | null) ?? null,
});

/** Directive-import drafts (migration 0008); every change is in audit_log like catalogue edits. */
export class PostgresDraftStore implements DraftStore {
  constructor(private readonly db: Database) {}

  async replaceDrafts(directiveId: string, unitId: string, drafts: readonly ObligationDraft[], actor: string, now: DateTime): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Two imports of one directive at once take turns here.
      await tx.query('select 1 from directives where id = $1 for update', [directiveId]);
      await tx.query(`delete from obligation_drafts where directive_id = $1 and status = 'draft'`, [directiveId]);
      const [{ next } = { next: 0 }] = (await tx.query(`select coalesce(max(position) + 1, 0) as next from obligation_drafts where directive_id = $1`, [directiveId])) as { next: number }[];
      let position = Number(next);
      for (const d of drafts) {
        await tx.query(`insert into obligation_drafts (directive_id, position, unit_id, draft, created_by, created_at) values ($1, $2, $3, $4, $5, $6)`, [directiveId, position++, unitId, JSON.stringify(d), actor, iso(now)]);
      }
      await tx.query('insert into audit_log (at, actor, entity, entity_id, action, detail) values ($1, $2, $3, $4, $5, $6)', [
        iso(now),
        actor,
        'directive',
        directiveId,
        'import',
        JSON.stringify({ drafts: drafts.length, unitId }),
      ]);
      return drafts.length;
    });
  }

  async draftsOf(directiveId: string): Promise<DraftRecord[]> {
    return (await this.db.query('select * from obligation_drafts where directive_id = $1 order by position', [directiveId])).map(draftOf);
  }

  async draft(id: number): Promise<DraftRecord | undefined> {
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const [r] = await this.db.query('select * from obligation_drafts where id = $1', [id]);
    return r && draftOf(r);
  }

  async claimDraft(id: number, actor: string, now: DateTime): Promise<boolean> {
    const rows = await this.db.query(`update obligation_drafts set status = 'accepting', decided_by = $2, decided_at = $3 where id = $1 and status = 'draft' returning id`, [id, actor, iso(now)]);
    return rows.length > 0;
  }

  async releaseDraft(id: number): Promise<void> {
    await this.db.query(`update obligation_drafts set status = 'draft', decided_by = null, decided_at = null where id = $1 and status = 'accepting'`, [id]);
  }

  async decideDraft(id: number, status: 'accepted' | 'rejected', obligationId: string | null, actor: string, now: DateTime): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // Accepting finishes a claim; rejecting needs an undecided draft.
      const from = status === 'accepted' ? 'accepting' : 'draft';
      const rows = await tx.query(
        `update obligation_drafts set status = $2, obligation_id = $3, decided_by = $4, decided_at = $5 where id = $1 and status = $6 returning directive_id`,
        [id, status, obligationId, actor, iso(now), from],
      );
      if (rows.length === 0) return false;
      await tx.query('insert into audit_log (at, actor, entity, entity_id, action, detail) values ($1, $2, $3, $4, $5, $6)', [
        iso(now),
        actor,
        'obligation_draft',
        String(id),
        status === 'accepted' ? 'accept' : 'reject',
        JSON.stringify({ directiveId: rows[0]!.directive_id, obligationId }),
      ]);
      return true;
    });
  }

  async pendingImports(units: readonly string[] | 'all'): Promise<{ directiveId: string; pending: number }[]> {
    const rows = await this.db.query(
      `select directive_id, count(*)::int as pending, max(created_at) as latest from obligation_drafts where status = 'draft' and ($1::text[] is null or unit_id = any($1)) group by directive_id order by latest desc`,
      [units === 'all' ? null : [...units]],
    );
    return rows.map((r) => ({ directiveId: String(r.directive_id), pending: Number(r.pending) }));
  }
}
