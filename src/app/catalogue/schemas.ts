import { z } from 'zod';
import { isIsoDate, isValidYmd, type IsoDate } from '../../domain/civil-date.js';
import { DUE_RULE_KINDS } from '../../domain/due-rule.js';

/** Schemas of the files under config/ (see config/README.md). Every object is strict: a misspelt key is an error, not a silent default. */

export const isoDate = z
  .string({ error: 'phải là ngày dạng YYYY-MM-DD' })
  .refine(isIsoDate, { message: 'không phải ngày có thật dạng YYYY-MM-DD' })
  .transform((s) => s as IsoDate);

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'id chỉ gồm chữ thường không dấu, số, ".", "_", "-"');
const text = z.string().trim().min(1, 'không được để trống');
const month = z.number().int().min(1, 'tháng từ 1 đến 12').max(12, 'tháng từ 1 đến 12');
const day = z.number().int().min(1, 'ngày từ 1 đến 31').max(31, 'ngày từ 1 đến 31');
const year = z.number().int().min(1900).max(2200);
const monthDay = z
  .strictObject({ month, day })
  .refine((md) => isValidYmd(2024, md.month, md.day), { message: 'ngày/tháng không tồn tại' });
const dayOrLast = z.union([day, z.literal('last')]);
const orOnEvent = z
  .union([z.literal(true), z.strictObject({ workingDays: z.number().int().min(0).max(250) })])
  .optional();

const ruleShapes = {
  once: z.strictObject({ kind: z.literal('once'), date: isoDate, bound: z.enum(['no_later_than', 'before']), orOnEvent }),
  yearly: z.strictObject({ kind: z.literal('yearly'), month: month.optional(), day: day.optional(), orOnEvent }),
  semiannual: z.strictObject({ kind: z.literal('semiannual'), dates: z.tuple([monthDay, monthDay]).optional(), orOnEvent }),
  quarterly: z.strictObject({ kind: z.literal('quarterly'), monthOfQuarter: z.number().int().min(1).max(3).optional(), day: dayOrLast.optional(), orOnEvent }),
  monthly: z.strictObject({ kind: z.literal('monthly'), day: dayOrLast, orOnEvent }),
  period: z.strictObject({
    kind: z.literal('period'),
    unit: z.enum(['quarter', 'month', 'half', 'year', 'range']),
    year: year.optional(),
    quarter: z.number().int().optional(),
    month: z.number().int().optional(),
    half: z.number().int().optional(),
    start: isoDate.optional(),
    end: isoDate.optional(),
    orOnEvent,
  }),
  continuous: z.strictObject({ kind: z.literal('continuous'), checkIn: z.enum(['monthly', 'quarterly', 'semiannual', 'yearly']).optional(), orOnEvent }),
  on_event: z.strictObject({ kind: z.literal('on_event'), workingDays: z.number().int().min(0).max(250).optional() }),
  relative: z.strictObject({ kind: z.literal('relative'), anchor: id, offsetDays: z.number().int().min(-366).max(366), year: year.optional(), orOnEvent }),
  rrule: z.strictObject({ kind: z.literal('rrule'), rrule: text, start: isoDate, orOnEvent }),
} as const;

/** A rule as written in YAML; `kind` is checked first so an unknown kind gets one clear message. */
export const ruleInput = z
  .object({ kind: z.enum(DUE_RULE_KINDS as [string, ...string[]], { error: `loại thời hạn không tồn tại; dùng một trong: ${DUE_RULE_KINDS.join(', ')}` }) })
  .loose()
  .pipe(z.discriminatedUnion('kind', Object.values(ruleShapes) as unknown as [typeof ruleShapes.once, typeof ruleShapes.yearly]));
export type RuleInput = z.infer<(typeof ruleShapes)[keyof typeof ruleShapes]>;

export const ladderInput = z.array(z.string(), { error: 'lịch nhắc phải là danh sách, ví dụ [30d, 7d, 3wd, 1wd, 0d]' });
export const rollInput = z.enum(['next_working_day', 'previous_working_day', 'keep']);

/** An escalation policy (chuyển cấp): levels told N working days after the due, repeated every R working days up to K times. */
const escalationTarget = z.union([
  z.literal('unit_leader'),
  z.literal('parent_leadership'),
  z.strictObject({ contacts: z.array(id).min(1, 'cần ít nhất một người nhận') }),
]);
export const escalationInput = z.strictObject({
  levels: z
    .array(z.strictObject({ afterWorkingDays: z.number().int().min(1, 'từ 1 ngày làm việc').max(250), notify: escalationTarget }))
    .min(1, 'cần ít nhất một cấp'),
  repeatEveryWorkingDays: z.number().int().min(1).max(250),
  maxRepeats: z.number().int().min(0).max(50),
});
export type EscalationInput = z.infer<typeof escalationInput>;

export const assigneesInput = z.strictObject({ units: z.array(id).optional(), childrenOf: z.array(id).optional() });

export const obligationInput = z.strictObject({
  id,
  title: text,
  clause: z.union([text, z.number().transform(String)]).optional(),
  sentence: text.optional(),
  phrase: text.optional(),
  rule: ruleInput,
  assignees: assigneesInput,
  assumed: text.optional(),
  note: text.optional(),
  validFrom: isoDate.optional(),
  validUntil: isoDate.optional(),
  roll: rollInput.optional(),
  ladder: ladderInput.optional(),
  escalation: escalationInput.optional(),
});
export type ObligationInput = z.infer<typeof obligationInput>;

/**
 * A directive file. Obligations are checked one by one (obligationInput) so that one broken
 * obligation does not hide the problems of its neighbours.
 */
export const directiveHeader = z.strictObject({
  id,
  number: text,
  issuer: text,
  issuedOn: isoDate,
  title: text,
  source: text.optional(),
  term: z.strictObject({ from: isoDate.optional(), until: isoDate.optional() }).optional(),
  assumed: text.optional(),
});

export const directiveFile = z.strictObject({
  directive: z.unknown(),
  obligations: z.array(z.unknown()),
});
export type DirectiveFile = z.infer<typeof directiveFile>;

export const contactInput = z.strictObject({
  id,
  name: text,
  role: text.optional(),
  email: z.email('email không hợp lệ').optional(),
  phone: z.string().regex(/^\+?[0-9 .]{9,15}$/, 'số điện thoại không hợp lệ').optional(),
  zaloUserId: text.optional(),
  /** Ordered channels (first that reaches them; a permanent failure falls back to the next). */
  channels: z.array(z.enum(['zalo_zns', 'zalo_oa', 'email'])).min(1).optional(),
});

export const unitsFile = z.strictObject({
  units: z.array(
    z.strictObject({
      id,
      name: text,
      kind: z.enum(['national', 'province', 'district', 'grassroots']),
      parent: id.nullable(),
      leader: id.optional(),
      /** Ban Thường vụ: contacts of this unit told when a unit below it is overdue (unset: the leader). */
      standingCommittee: z.array(id).optional(),
      contacts: z.array(contactInput).default([]),
    }),
  ),
});
export type UnitsFile = z.infer<typeof unitsFile>;

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const dayRef = z.strictObject({ calendar: z.enum(['solar', 'lunar']), month, day });

export const calendarRulesFile = z.strictObject({
  zone: text,
  weeklyRest: z.array(z.enum(WEEKDAYS)).max(6, 'phải còn ít nhất một ngày làm việc trong tuần'),
  holidays: z.array(
    z.strictObject({
      id,
      name: text,
      law: text,
      on: dayRef,
      startOffset: z.number().int().min(-10).max(10).default(0),
      days: z.number().int().min(1).max(15).default(1),
      adjacentDay: z.boolean().default(false),
      adjacentDayFromYear: year.optional(),
      fromYear: year.optional(),
      untilYear: year.optional(),
    }),
  ),
  namedDays: z.array(z.strictObject({ id, name: text, on: dayRef })).default([]),
});
export type CalendarRulesFile = z.infer<typeof calendarRulesFile>;
export const weekdayNumber = (name: (typeof WEEKDAYS)[number]): number => WEEKDAYS.indexOf(name) + 1;

export const yearDecreeFile = z.strictObject({
  year,
  sources: z.array(text).min(1, 'cần ghi ít nhất một văn bản làm căn cứ'),
  tet: z.array(isoDate).min(1).max(15).optional(),
  /** null: that year 2/9 had no adjacent day (before the Labour Code 2019). */
  nationalDayAdjacent: isoDate.nullable().optional(),
  substitutesListed: z.boolean().default(false),
  days: z
    .array(z.strictObject({ date: isoDate, kind: z.enum(['holiday', 'substitute', 'swap_off', 'swap_work']), name: text }))
    .default([]),
});
export type YearDecreeFile = z.infer<typeof yearDecreeFile>;

export const settingsFile = z.strictObject({
  reminders: z.strictObject({
    fireTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'giờ dạng HH:MM'),
    ladder: ladderInput,
  }),
  roll: rollInput,
  defaults: z.strictObject({
    yearly: monthDay,
    semiannual: z.tuple([monthDay, monthDay]),
    eventWorkingDays: z.number().int().min(0).max(250),
  }),
  escalation: escalationInput,
  /** The weekly leadership digest: day of the week and local time. */
  leadershipDigest: z.strictObject({
    weekday: z.enum(WEEKDAYS),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'giờ dạng HH:MM'),
  }),
});
export type SettingsFile = z.infer<typeof settingsFile>;
