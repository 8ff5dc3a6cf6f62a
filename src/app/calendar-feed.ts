import { addDays, addMonths, formatVnDateWithWeekday, type IsoDate } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { describeRule } from '../domain/describe.js';
import { isOpen, statusOn } from '../domain/escalation.js';
import { buildIcs, occurrenceUid, type IcsEvent } from '../domain/ics.js';
import { localDateOf } from '../domain/instant.js';
import { assignedUnits } from '../domain/obligation.js';
import { occurrencesBetween } from '../domain/occurrences.js';
import type { FeedClaims } from '../domain/signed-link.js';
import { describeStatus } from './assignments.js';
import type { Clock } from './ports.js';
import type { AssignmentView, FeedStore, PlanStore } from './stores.js';

export interface CalendarFeedDeps {
  readonly store: FeedStore & Pick<PlanStore, 'obligations' | 'unitTree'>;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  /** Right-hand side of every UID (the email attachments use the same UIDs, so events update, not duplicate). */
  readonly uidDomain: string;
  /** The signed completion link of an open assignment, acting for `contactId`. */
  readonly doneLink: (assignment: AssignmentView, contactId: string) => string;
  readonly anchorName?: (id: string) => string;
}

/** The window a feed shows: the past three months and the next eighteen. */
export const FEED_PAST_MONTHS = 3;
export const FEED_AHEAD_MONTHS = 18;
/** Calendar apps are asked to fetch again every six hours. */
export const FEED_REFRESH = 'PT6H';

/**
 * A unit's (or a contact's unit's) deadlines as an iCalendar feed: one all-day VEVENT per
 * occurrence it owes in the window, on its own effective due (an extension's new due), with the
 * directive, the rule, the status and, while open, the completion link. Occurrences beyond the
 * planner's horizon are computed from the rules, as `preview` does.
 */
export async function buildCalendarFeed(deps: CalendarFeedDeps, claims: FeedClaims): Promise<string | undefined> {
  const subject = await deps.store.feedSubject(claims.kind, claims.id);
  if (!subject) return undefined;
  const now = deps.clock.now();
  const today = localDateOf(now, deps.calendar.zone);
  const from = addMonths(today, -FEED_PAST_MONTHS);
  const to = addMonths(today, FEED_AHEAD_MONTHS);
  const tree = (await deps.store.unitTree()).map((u) => ({ ...u, name: u.id, kind: 'grassroots' as const, contacts: [] }));
  const recorded = new Map((await deps.store.assignmentsOfUnit(subject.unitId, addDays(from, -400), addDays(to, 400))).map((a) => [`${a.obligationId}|${a.occurrenceKey}`, a]));
  const directives = new Map((await deps.store.directiveHeads()).map((d) => [d.id, d]));
  const events: (IcsEvent & { sortKey: string })[] = [];
  for (const obligation of await deps.store.obligations()) {
    if (!assignedUnits(obligation.assignees, tree).includes(subject.unitId)) continue;
    const directive = directives.get(obligation.directiveId);
    const occurrences = occurrencesBetween(obligation.rule, from, to, deps.calendar, {
      roll: obligation.roll,
      validFrom: obligation.validFrom ?? undefined,
      validUntil: obligation.validUntil ?? undefined,
    });
    for (const occurrence of occurrences) {
      const assignment = recorded.get(`${obligation.id}|${occurrence.key}`);
      const due: IsoDate = assignment?.due ?? occurrence.effectiveDue;
      const open = !assignment || isOpen(assignment.status);
      // Only a person's own feed carries completion links: a unit's feed is shared (leaders, calendar
      // services) and must not let whoever holds it act for the unit.
      const link = claims.kind === 'contact' && assignment && open && subject.contactId ? deps.doneLink(assignment, subject.contactId) : undefined;
      const status = assignment ? describeStatus(statusOn(assignment.status, due, today)) : due < today ? 'chưa ghi nhận' : 'chưa đến hạn';
      const description = [
        directive ? `Văn bản ${directive.number}: ${directive.title}` : undefined,
        `Nhiệm vụ: ${obligation.title}`,
        `Thời hạn: ${describeRule(obligation.rule, deps.anchorName)}`,
        `Hạn: ${formatVnDateWithWeekday(due)}${assignment && assignment.due !== assignment.occurrenceDue ? ' (đã gia hạn)' : ''}`,
        `Đơn vị: ${subject.unitName}`,
        `Trạng thái: ${status}`,
        link ? `Xác nhận đã hoàn thành: ${link}` : undefined,
      ].filter((l): l is string => l !== undefined);
      events.push({
        uid: occurrenceUid(obligation.id, occurrence.key, deps.uidDomain),
        date: due,
        summary: `${open ? 'Hạn' : '✓ Xong'}: ${obligation.title}`,
        description: description.join('\n'),
        ...(link ? { url: link } : {}),
        ...(open && due >= today ? { alarm: `Ngày mai (${formatVnDateWithWeekday(due)}) là hạn: ${obligation.title}` } : {}),
        sortKey: `${due}|${obligation.id}|${occurrence.key}`,
      });
    }
  }
  events.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  return buildIcs({
    dtstamp: now,
    name: `Hạn Chót – ${subject.unitName}`,
    refreshInterval: FEED_REFRESH,
    events: events.map(({ sortKey: _sortKey, ...e }) => e),
  });
}
