import type { IsoDate } from './civil-date.js';
import type { DueRule, RollPolicy } from './due-rule.js';
import type { EscalationPolicy } from './escalation.js';
import type { ReminderLadder } from './ladder.js';

/** The source document: công văn, kế hoạch, nghị quyết. */
export interface Directive {
  readonly id: string;
  readonly number: string;
  readonly issuer: string;
  readonly issuedOn: IsoDate;
  readonly title: string;
  readonly source?: string;
  /** nhiệm kỳ: obligations without their own validity inherit it. */
  readonly term?: { readonly from?: IsoDate; readonly until?: IsoDate };
  /** Set when a header fact was assumed because the text does not give it. */
  readonly assumed?: string;
}

export interface Assignees {
  readonly units: readonly string[];
  /** Every direct child of these units owes the obligation. */
  readonly childrenOf: readonly string[];
}

/** One duty in a directive (nhiệm vụ). */
export interface Obligation {
  readonly id: string;
  readonly directiveId: string;
  readonly title: string;
  readonly clause?: string;
  /** The directive's own sentence and the words in it that carry the date. */
  readonly sentence?: string;
  readonly phrase?: string;
  readonly rule: DueRule;
  readonly roll: RollPolicy;
  /** Unset: the configured default ladder. */
  readonly ladder?: ReminderLadder;
  /** Unset: the configured default escalation policy. */
  readonly escalation?: EscalationPolicy;
  readonly validFrom?: IsoDate;
  readonly validUntil?: IsoDate;
  readonly assignees: Assignees;
  /** What was assumed because the text is silent; shown to admins to confirm. */
  readonly assumed?: string;
  readonly note?: string;
}

export type UnitKind = 'national' | 'province' | 'district' | 'grassroots';

/** A person who receives reminders (người nhận). */
export interface Contact {
  readonly id: string;
  readonly name: string;
  readonly role?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly zaloUserId?: string;
  /** Ordered channel preference ("zalo_zns", "zalo_oa", "email"); unset: ZNS if a phone is known, then email. */
  readonly channels?: readonly ('zalo_zns' | 'zalo_oa' | 'email')[];
}

/** A node of the organisation tree (đơn vị). */
export interface Unit {
  readonly id: string;
  readonly name: string;
  readonly kind: UnitKind;
  readonly parent: string | null;
  readonly leader?: string;
  /** Ban Thường vụ: contacts told when a unit below is overdue (unset: the leader). */
  readonly standingCommittee?: readonly string[];
  readonly contacts: readonly Contact[];
}

/** The units that owe an obligation, in a stable order, each once. */
export function assignedUnits(assignees: Assignees, units: readonly Unit[]): string[] {
  const out = new Set<string>(assignees.units);
  const parents = new Set(assignees.childrenOf);
  for (const u of units) if (u.parent !== null && parents.has(u.parent)) out.add(u.id);
  return [...out].sort();
}

/** `unitId` and every unit below it. */
export function subtreeOf(unitId: string, units: readonly Unit[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const u of units) if (u.parent !== null) children.set(u.parent, [...(children.get(u.parent) ?? []), u.id]);
  const out = new Set<string>();
  const stack = [unitId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}
