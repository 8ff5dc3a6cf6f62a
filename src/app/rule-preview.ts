import { addDays, formatVnDateWithWeekday, type IsoDate } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { describeRule } from '../domain/describe.js';
import { isDomainError } from '../domain/errors.js';
import type { RollPolicy } from '../domain/due-rule.js';
import { ladderReachDays, parseLadder, remindersFor } from '../domain/ladder.js';
import { occurrencesBetween } from '../domain/occurrences.js';
import type { Settings } from './catalogue/catalogue.js';
import { needsAssumption, toDueRule } from './catalogue/load-catalogue.js';
import type { RuleInput } from './catalogue/schemas.js';

export interface RulePreviewInput {
  readonly rule: RuleInput;
  readonly roll?: RollPolicy;
  readonly ladder?: readonly string[];
  readonly validFrom?: IsoDate;
  readonly validUntil?: IsoDate;
  /** How many occurrences from today (default 5, at most 24). */
  readonly count?: number;
}

export interface RulePreview {
  readonly words: string;
  /** The text gives no date and a default from settings.yaml fills it: an admin must confirm. */
  readonly usesDefault: boolean;
  readonly occurrences: readonly {
    readonly key: string;
    readonly nominalDue: IsoDate;
    readonly effectiveDue: IsoDate;
    /** "trùng ngày nghỉ, hạn thực tế thứ Hai, 01/11/2027" when the due moved off a rest day. */
    readonly rolledNote: string | null;
    readonly reminders: readonly { readonly step: string; readonly fireOn: IsoDate }[];
  }[];
}

export class RulePreviewError extends Error {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

/**
 * The next occurrences of a rule and the reminders before each, before anything is saved: what
 * the console's rule builder shows as the admin types (holiday shifts visible).
 */
export function previewRule(input: RulePreviewInput, settings: Settings, calendar: WorkingCalendar, today: IsoDate): RulePreview {
  const issues: { path: string; message: string }[] = [];
  const rule = toDueRule(input.rule, settings, (path, message) => issues.push({ path: ['rule', ...path].join('.'), message }));
  let ladder = settings.ladder;
  try {
    if (input.ladder) ladder = parseLadder(input.ladder);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    issues.push({ path: 'ladder', message: e.message });
  }
  if (!rule || issues.length > 0) throw new RulePreviewError(issues);
  const count = Math.min(Math.max(input.count ?? 5, 1), 24);
  const occurrences = [];
  try {
    // Look up to ten years ahead for the next `count` dated occurrences.
    for (const occ of occurrencesBetween(rule, today, addDays(today, 3660 + ladderReachDays(ladder)), calendar, {
      roll: input.roll ?? settings.roll,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
    })) {
      if (occurrences.length >= count) break;
      occurrences.push({
        key: occ.key,
        nominalDue: occ.nominalDue,
        effectiveDue: occ.effectiveDue,
        rolledNote: occ.effectiveDue !== occ.nominalDue ? `trùng ngày nghỉ, hạn thực tế ${formatVnDateWithWeekday(occ.effectiveDue)}` : null,
        reminders: remindersFor(occ, ladder, calendar, settings.fireTime).map((r) => ({ step: r.step, fireOn: r.fireOn })),
      });
    }
  } catch (e) {
    if (isDomainError(e)) throw new RulePreviewError([{ path: 'rule', message: e.message }]);
    throw e;
  }
  return { words: describeRule(rule), usesDefault: needsAssumption(input.rule), occurrences };
}
