import type { Catalogue } from './catalogue/catalogue.js';
import { validityOf } from './catalogue/catalogue.js';
import type {
  CatalogueStore,
  Change,
  ContactRecord,
  DirectiveRecord,
  ObligationRecord,
  RecordSnapshot,
  SyncPlan,
  UnitRecord,
} from './stores.js';
import type { Clock } from './ports.js';

/** A directive's header (YAML or API) as its row. */
export function directiveRecord(d: { id: string; number: string; issuer: string; issuedOn: string; title: string; source?: string; term?: { from?: string; until?: string }; assumed?: string }): DirectiveRecord {
  return {
    id: d.id,
    number: d.number,
    issuer: d.issuer,
    issuedOn: d.issuedOn,
    title: d.title,
    source: d.source ?? null,
    termFrom: d.term?.from ?? null,
    termUntil: d.term?.until ?? null,
    assumed: d.assumed ?? null,
  };
}

/** A person (YAML or API) as its row. */
export function contactRecord(c: { id: string; unitId: string; name: string; role?: string; email?: string; phone?: string; zaloUserId?: string; channels?: NonNullable<ContactRecord['channels']> }): ContactRecord {
  return {
    id: c.id,
    unitId: c.unitId,
    name: c.name,
    role: c.role ?? null,
    email: c.email ?? null,
    phone: c.phone ?? null,
    zaloUserId: c.zaloUserId ?? null,
    channels: c.channels ? [...c.channels] : null,
  };
}

/** An obligation (YAML or API, its rule and defaults already resolved) as its row. */
export function obligationRecord(o: {
  id: string;
  directiveId: string;
  title: string;
  clause?: string;
  sentence?: string;
  phrase?: string;
  rule: ObligationRecord['rule'];
  roll: ObligationRecord['roll'];
  ladder: readonly string[] | null;
  escalation: ObligationRecord['escalation'];
  validFrom?: string | null;
  validUntil?: string | null;
  assignees: { readonly units: readonly string[]; readonly childrenOf: readonly string[] };
  assumed?: string;
  note?: string;
}): ObligationRecord {
  return {
    id: o.id,
    directiveId: o.directiveId,
    title: o.title,
    clause: o.clause ?? null,
    sentence: o.sentence ?? null,
    phrase: o.phrase ?? null,
    rule: o.rule,
    roll: o.roll,
    ladder: o.ladder ? [...o.ladder] : null,
    escalation: o.escalation,
    validFrom: o.validFrom ?? null,
    validUntil: o.validUntil ?? null,
    assignees: { units: [...o.assignees.units], childrenOf: [...o.assignees.childrenOf] },
    assumed: o.assumed ?? null,
    note: o.note ?? null,
  };
}

/** The catalogue (config/) as the rows the record should hold. */
export function recordsOf(catalogue: Catalogue): {
  directives: DirectiveRecord[];
  units: UnitRecord[];
  contacts: ContactRecord[];
  obligations: ObligationRecord[];
} {
  return {
    directives: catalogue.directives.map(directiveRecord),
    units: catalogue.units.map((u) => ({
      id: u.id,
      parentId: u.parent,
      name: u.name,
      kind: u.kind,
      leaderContactId: u.leader ?? null,
      standingCommittee: u.standingCommittee ? [...u.standingCommittee] : null,
    })),
    contacts: catalogue.units.flatMap((u) => u.contacts.map((c) => contactRecord({ ...c, unitId: u.id }))),
    obligations: catalogue.obligations.map((o) =>
      obligationRecord({ ...o, ladder: o.ladder ? o.ladder.map((s) => s.id) : null, escalation: o.escalation ?? null, ...validityOf(catalogue, o) }),
    ),
  };
}

/** Fields whose change moves dates or recipients: the obligation must be planned again. */
const PLANNING_FIELDS: readonly (keyof ObligationRecord)[] = ['rule', 'roll', 'ladder', 'escalation', 'validFrom', 'validUntil', 'assignees'];

/** One obligation's change, with whether its timers must be planned again. */
export function obligationChange(before: ObligationRecord | undefined, after: ObligationRecord | undefined, id: string): (Change<ObligationRecord> & { replan: boolean }) | undefined {
  const [change] = diff(new Map(before ? [[id, before]] : []), after ? [after] : []);
  return change && { ...change, replan: change.action !== 'update' || change.fields.some((f) => (PLANNING_FIELDS as readonly string[]).includes(f)) };
}

/** What must change in the record to match the catalogue (nothing is deleted outright: rows are marked). */
export function planSync(snapshot: RecordSnapshot, catalogue: Catalogue): SyncPlan {
  const wanted = recordsOf(catalogue);
  const obligations = diff(snapshot.obligations, wanted.obligations).map((c) => ({
    ...c,
    replan: c.action !== 'update' || c.fields.some((f) => (PLANNING_FIELDS as readonly string[]).includes(f)),
  }));
  return {
    directives: diff(snapshot.directives, wanted.directives),
    units: diff(snapshot.units, wanted.units),
    contacts: diff(snapshot.contacts, wanted.contacts),
    obligations,
    calendar: { rules: catalogue.calendarRules, years: catalogue.decrees },
  };
}

export function diff<T extends { id: string }>(current: ReadonlyMap<string, T>, wanted: readonly T[]): Change<T>[] {
  const out: Change<T>[] = [];
  const seen = new Set<string>();
  for (const after of wanted) {
    seen.add(after.id);
    const before = current.get(after.id);
    if (!before) {
      out.push({ action: 'create', id: after.id, after });
      continue;
    }
    const fields = Object.keys(after).filter((k) => canonical((before as Record<string, unknown>)[k]) !== canonical((after as Record<string, unknown>)[k]));
    if (fields.length > 0) out.push({ action: 'update', id: after.id, before, after, fields });
  }
  for (const [id, before] of current) if (!seen.has(id)) out.push({ action: 'delete', id, before });
  return out;
}

/** JSON with sorted keys, so that a jsonb round trip (which reorders keys) is not a change. */
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export function isEmptyPlan(plan: SyncPlan): boolean {
  return plan.directives.length + plan.units.length + plan.contacts.length + plan.obligations.length === 0;
}

/** Human lines for `hanchot sync --dry-run`: one per change. */
export function describePlan(plan: SyncPlan): string[] {
  const lines: string[] = [];
  const sign = { create: '+', update: '~', delete: '-' } as const;
  const label = { directives: 'văn bản', units: 'đơn vị', contacts: 'người nhận', obligations: 'nhiệm vụ' } as const;
  for (const kind of ['directives', 'units', 'contacts', 'obligations'] as const) {
    for (const c of plan[kind] as readonly Change<{ id: string }>[]) {
      const fields = c.action === 'update' ? ` (${c.fields.join(', ')})` : '';
      lines.push(`${sign[c.action]} ${label[kind]} ${c.id}${fields}`);
    }
  }
  return lines;
}

export interface SyncResult {
  readonly plan: SyncPlan;
  readonly applied: boolean;
  /** Obligations whose timers must be planned again (created, edited in dates/recipients, deleted). */
  readonly replan: readonly string[];
}

/** Loads the catalogue into the record in one transaction, upserting by stable ids. */
export async function syncCatalogue(
  deps: { store: CatalogueStore; clock: Clock },
  catalogue: Catalogue,
  options: { dryRun?: boolean; actor?: string } = {},
): Promise<SyncResult> {
  const plan = planSync(await deps.store.snapshot(), catalogue);
  const replan = plan.obligations.filter((c) => c.replan).map((c) => c.id);
  if (options.dryRun) return { plan, applied: false, replan };
  await deps.store.applySync(plan, deps.clock.now(), options.actor ?? 'sync');
  return { plan, applied: true, replan };
}
