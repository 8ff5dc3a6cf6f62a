import { addDays, type IsoDate } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { describeRule } from '../domain/describe.js';
import { ladderReachDays, remindersFor } from '../domain/ladder.js';
import { assignedUnits, subtreeOf, type Obligation } from '../domain/obligation.js';
import { occurrencesBetween } from '../domain/occurrences.js';
import { directiveOf, validityOf, type Catalogue } from './catalogue/catalogue.js';

export interface PreviewRequest {
  readonly from: IsoDate;
  readonly to: IsoDate;
  /** Only what this unit or a unit below it owes. */
  readonly unitId?: string;
}

export interface PreviewOccurrence {
  readonly obligationId: string;
  readonly directive: string;
  readonly directiveId: string;
  readonly title: string;
  readonly rule: string;
  readonly key: string;
  readonly nominalDue: IsoDate;
  readonly effectiveDue: IsoDate;
  readonly literalDate?: IsoDate;
  readonly windowStart?: IsoDate;
  readonly units: readonly string[];
  readonly assumed?: string;
}

export interface PreviewReminder {
  readonly obligationId: string;
  readonly directive: string;
  readonly title: string;
  readonly key: string;
  readonly step: string;
  readonly steps: readonly string[];
  readonly fireOn: IsoDate;
  readonly fireAt: string;
  readonly nominalDue: IsoDate;
}

/** An obligation with no date of its own ("thường xuyên", "khi có phát sinh"): listed, not scheduled. */
export interface PreviewUndated {
  readonly obligationId: string;
  readonly directive: string;
  readonly title: string;
  readonly rule: string;
  readonly units: readonly string[];
  readonly assumed?: string;
}

export interface Preview {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly unitId?: string;
  readonly occurrences: readonly PreviewOccurrence[];
  readonly reminders: readonly PreviewReminder[];
  readonly undated: readonly PreviewUndated[];
}

export class UnknownUnitError extends Error {
  constructor(readonly unitId: string, known: readonly string[]) {
    super(`đơn vị "${unitId}" không có trong danh mục (có: ${known.join(', ')})`);
  }
}

/**
 * Every occurrence due in [from, to] and every reminder that would fire in it, from the
 * catalogue alone: what `hanchot preview` shows before anything is stored or scheduled.
 */
export function preview(catalogue: Catalogue, calendar: WorkingCalendar, request: PreviewRequest): Preview {
  const { from, to, unitId } = request;
  let scope: Set<string> | undefined;
  if (unitId !== undefined) {
    if (!catalogue.units.some((u) => u.id === unitId)) throw new UnknownUnitError(unitId, catalogue.units.map((u) => u.id));
    scope = subtreeOf(unitId, catalogue.units);
  }
  const anchorName = (id: string) => catalogue.calendarRules.namedDays.find((n) => n.id === id)?.name ?? catalogue.calendarRules.holidays.find((h) => h.id === id)?.name ?? id;

  const occurrences: PreviewOccurrence[] = [];
  const reminders: PreviewReminder[] = [];
  const undated: PreviewUndated[] = [];
  for (const obligation of catalogue.obligations) {
    const units = assignedUnits(obligation.assignees, catalogue.units).filter((u) => !scope || scope.has(u));
    if (units.length === 0) continue;
    const directive = directiveOf(catalogue, obligation);
    const common = { obligationId: obligation.id, directive: directive.number, title: obligation.title };
    const rule = describeRule(obligation.rule, anchorName);
    if (isUndated(obligation)) undated.push({ ...common, rule, units, assumed: obligation.assumed });

    // A reminder in the window may belong to an occurrence due after it.
    const ladder = obligation.ladder ?? catalogue.settings.ladder;
    const reachTo = addDays(to, ladderReachDays(ladder));
    const options = { roll: obligation.roll, ...validityOf(catalogue, obligation) };
    for (const occ of occurrencesBetween(obligation.rule, from, reachTo, calendar, options)) {
      if (occ.nominalDue <= to) {
        occurrences.push({
          ...common,
          directiveId: directive.id,
          rule,
          key: occ.key,
          nominalDue: occ.nominalDue,
          effectiveDue: occ.effectiveDue,
          literalDate: occ.literalDate,
          windowStart: occ.windowStart,
          units,
          assumed: obligation.assumed,
        });
      }
      for (const r of remindersFor(occ, ladder, calendar, catalogue.settings.fireTime)) {
        if (r.fireOn >= from && r.fireOn <= to) {
          reminders.push({ ...common, key: occ.key, step: r.step, steps: r.steps, fireOn: r.fireOn, fireAt: r.fireAt, nominalDue: occ.nominalDue });
        }
      }
    }
  }
  occurrences.sort((a, b) => cmp(a.nominalDue, b.nominalDue) || cmp(a.obligationId, b.obligationId) || cmp(a.key, b.key));
  reminders.sort((a, b) => cmp(a.fireAt, b.fireAt) || cmp(a.obligationId, b.obligationId) || cmp(a.key, b.key));
  return { from, to, unitId, occurrences, reminders, undated };
}

function isUndated(obligation: Obligation): boolean {
  const r = obligation.rule;
  return r.kind === 'on_event' || (r.kind === 'continuous' && r.checkIn === undefined) || r.orOnEvent !== undefined;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
