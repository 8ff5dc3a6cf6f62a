import type { IsoDate } from '../domain/civil-date.js';
import { onTimeRate, reportBucketOf } from '../domain/escalation.js';
import { subtreeOf } from '../domain/obligation.js';
import { AssignmentError } from './assignments.js';
import type { ReportStore } from './stores.js';

export interface ReportRow {
  readonly onTime: number;
  readonly late: number;
  readonly overdue: number;
  readonly upcoming: number;
  readonly waived: number;
  readonly onTimeRate: number | null;
}

export interface Report {
  readonly today: IsoDate;
  readonly scope: { readonly unitId: string | null; readonly from: IsoDate | null; readonly to: IsoDate | null };
  readonly units: readonly (ReportRow & { readonly unitId: string; readonly name: string })[];
  readonly obligations: readonly (ReportRow & { readonly obligationId: string; readonly title: string })[];
  readonly totals: ReportRow;
}

const empty = () => ({ onTime: 0, late: 0, overdue: 0, upcoming: 0, waived: 0 });
const withRate = (c: ReturnType<typeof empty>): ReportRow => ({ ...c, onTimeRate: onTimeRate(c) });

/**
 * đúng hạn / trễ hạn / quá hạn chưa hoàn thành / chưa đến hạn per unit and per obligation, for
 * assignments due in [from, to] of a unit and every unit below it; the on-time rate counts what
 * has come due (waived items are shown apart and count nowhere else).
 */
export async function buildReport(store: ReportStore, input: { unitId?: string; onlyThatUnit?: boolean; from?: IsoDate; to?: IsoDate; today: IsoDate }): Promise<Report> {
  if (input.from && input.to && input.to < input.from) throw new AssignmentError('invalid', '--to phải sau --from');
  let unitIds: string[] | undefined;
  if (input.unitId) {
    const units = await store.units();
    if (!units.some((u) => u.id === input.unitId)) throw new AssignmentError('not_found', `không có đơn vị "${input.unitId}"`);
    unitIds = input.onlyThatUnit ? [input.unitId] : [...subtreeOf(input.unitId, units.map((u) => ({ ...u, kind: 'grassroots' as const, contacts: [] })))];
  }
  const filter = { unitIds, from: input.from, to: input.to, today: input.today };
  const [byUnit, byObligation] = await Promise.all([store.reportCounts('unit', filter), store.reportCounts('obligation', filter)]);
  const fold = (rows: typeof byUnit) => {
    const out = new Map<string, { name: string; counts: ReturnType<typeof empty> }>();
    for (const r of rows) {
      const entry = out.get(r.key) ?? { name: r.name, counts: empty() };
      entry.counts[reportBucketOf(r.status, r.pastDue)] += r.count;
      out.set(r.key, entry);
    }
    return out;
  };
  const units = [...fold(byUnit)].map(([unitId, e]) => ({ unitId, name: e.name, ...withRate(e.counts) }));
  const obligations = [...fold(byObligation)].map(([obligationId, e]) => ({ obligationId, title: e.name, ...withRate(e.counts) }));
  const totals = empty();
  for (const u of units) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += u[k];
  return {
    today: input.today,
    scope: { unitId: input.unitId ?? null, from: input.from ?? null, to: input.to ?? null },
    units,
    obligations,
    totals: withRate(totals),
  };
}
