import type { IsoDate } from '../../domain/civil-date.js';
import type { CalendarRules, LunarToSolar, YearDecree } from '../../domain/calendar/types.js';
import { WorkingCalendar } from '../../domain/calendar/working-calendar.js';
import type { MonthDay, RollPolicy } from '../../domain/due-rule.js';
import type { EscalationPolicy } from '../../domain/escalation.js';
import type { ReminderLadder } from '../../domain/ladder.js';
import type { TimeOfDay } from '../../domain/instant.js';
import type { Directive, Obligation, Unit } from '../../domain/obligation.js';

export interface Settings {
  readonly fireTime: TimeOfDay;
  readonly ladder: ReminderLadder;
  readonly roll: RollPolicy;
  readonly defaults: {
    readonly yearly: MonthDay;
    readonly semiannual: readonly [MonthDay, MonthDay];
    readonly eventWorkingDays: number;
  };
  readonly escalation: EscalationPolicy;
  /** Weekly leadership digest: ISO weekday (1 = Monday) and local time. */
  readonly leadershipDigest: { readonly weekday: number; readonly time: TimeOfDay };
}

/** Everything under config/, validated and frozen. */
export interface Catalogue {
  readonly settings: Settings;
  readonly calendarRules: CalendarRules;
  readonly decrees: readonly YearDecree[];
  readonly units: readonly Unit[];
  readonly directives: readonly Directive[];
  readonly obligations: readonly Obligation[];
}

export function buildCalendar(catalogue: Pick<Catalogue, 'calendarRules' | 'decrees'>, lunar: LunarToSolar): WorkingCalendar {
  return new WorkingCalendar(catalogue.calendarRules, catalogue.decrees, lunar);
}

export function directiveOf(catalogue: Catalogue, obligation: Obligation): Directive {
  const d = catalogue.directives.find((x) => x.id === obligation.directiveId);
  if (!d) throw new Error(`obligation ${obligation.id} has no directive ${obligation.directiveId}`);
  return d;
}

/**
 * Validity of an obligation: its own, else its directive's term; nothing is due before the
 * directive was issued (a yearly duty written in April starts with that year's date if still ahead).
 */
export function validityOf(catalogue: Catalogue, obligation: Obligation): { validFrom?: IsoDate; validUntil?: IsoDate } {
  const directive = directiveOf(catalogue, obligation);
  return {
    validFrom: obligation.validFrom ?? directive.term?.from ?? directive.issuedOn,
    validUntil: obligation.validUntil ?? directive.term?.until,
  };
}
