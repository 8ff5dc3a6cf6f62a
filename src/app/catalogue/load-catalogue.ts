import { z } from 'zod';
import { yearOf } from '../../domain/civil-date.js';
import type { CalendarRules, YearDecree } from '../../domain/calendar/types.js';
import { validateRule, type DueRule, type EventDue, type PeriodWindow } from '../../domain/due-rule.js';
import { isDomainError } from '../../domain/errors.js';
import { checkEscalationPolicy, type EscalationPolicy } from '../../domain/escalation.js';
import { parseLadder, type ReminderLadder } from '../../domain/ladder.js';
import type { Directive, Obligation, Unit } from '../../domain/obligation.js';
import type { Catalogue, Settings } from './catalogue.js';
import {
  calendarRulesFile,
  assigneesInput,
  directiveFile,
  directiveHeader,
  obligationInput,
  settingsFile,
  unitsFile,
  weekdayNumber,
  yearDecreeFile,
  type EscalationInput,
  type RuleInput,
} from './schemas.js';
import { YamlSource, type CatalogueIssue, type SourceFile } from './yaml-source.js';

export type LoadResult = { ok: true; catalogue: Catalogue } | { ok: false; issues: CatalogueIssue[] };

const LAYOUT = {
  settings: /^settings\.ya?ml$/,
  calendarRules: /^calendar\/rules\.ya?ml$/,
  year: /^calendar\/years\/(\d{4})\.ya?ml$/,
  units: /^catalogue\/units\.ya?ml$/,
  directive: /^catalogue\/directives\/([^/]+)\.ya?ml$/,
};

/**
 * Validates every file under config/ and the references between them. Either the whole
 * catalogue is valid and returned frozen, or every problem found is returned with its file,
 * line and field: nothing half-loaded.
 */
export function loadCatalogue(files: readonly SourceFile[]): LoadResult {
  const issues: CatalogueIssue[] = [];
  const parsedAt = <T>(source: YamlSource, schema: z.ZodType<T>, data: unknown, at: PropertyKey[]): T | undefined => {
    const result = schema.safeParse(data, { reportInput: true });
    if (result.success) return result.data;
    for (const issue of result.error.issues) issues.push(source.issueAt([...at, ...(issue.path as PropertyKey[])], describeZodIssue(issue)));
    return undefined;
  };
  const parsed = <T>(source: YamlSource, schema: z.ZodType<T>): T | undefined => {
    if (source.syntaxIssues.length) {
      issues.push(...source.syntaxIssues);
      return undefined;
    }
    return parsedAt(source, schema, source.data, []);
  };

  let settingsSrc: YamlSource | undefined;
  let rulesSrc: YamlSource | undefined;
  let unitsSrc: YamlSource | undefined;
  const yearSrcs: { year: number; src: YamlSource }[] = [];
  const directiveSrcs: { id: string; src: YamlSource }[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const path = file.path.replaceAll('\\', '/');
    if (!/\.ya?ml$/.test(path)) continue;
    // Message templates are validated by their own loader (src/app/messages).
    if (path.startsWith('templates/')) continue;
    const src = YamlSource.parse({ path, text: file.text });
    let m: RegExpExecArray | null;
    if (LAYOUT.settings.test(path)) settingsSrc = src;
    else if (LAYOUT.calendarRules.test(path)) rulesSrc = src;
    else if (LAYOUT.units.test(path)) unitsSrc = src;
    else if ((m = LAYOUT.year.exec(path))) yearSrcs.push({ year: Number(m[1]), src });
    else if ((m = LAYOUT.directive.exec(path))) directiveSrcs.push({ id: m[1]!, src });
    else issues.push({ file: path, message: 'tệp không thuộc cấu trúc config/ (xem config/README.md); đổi tên hoặc chuyển đi' });
  }
  for (const [name, src] of [['settings.yaml', settingsSrc], ['calendar/rules.yaml', rulesSrc], ['catalogue/units.yaml', unitsSrc]] as const) {
    if (!src) issues.push({ file: name, message: 'thiếu tệp bắt buộc' });
  }

  // Settings
  const settingsData = settingsSrc && parsed(settingsSrc, settingsFile);
  let settings: Settings | undefined;
  if (settingsSrc && settingsData) {
    const ladder = ladderOf(settingsData.reminders.ladder, settingsSrc, ['reminders', 'ladder'], issues);
    const escalation = escalationOf(settingsData.escalation, settingsSrc, ['escalation'], issues);
    if (ladder && escalation) {
      settings = {
        fireTime: settingsData.reminders.fireTime,
        ladder,
        roll: settingsData.roll,
        defaults: settingsData.defaults,
        escalation,
        leadershipDigest: { weekday: weekdayNumber(settingsData.leadershipDigest.weekday), time: settingsData.leadershipDigest.time },
      };
    }
  }

  // Calendar
  const rulesData = rulesSrc && parsed(rulesSrc, calendarRulesFile);
  let calendarRules: CalendarRules | undefined;
  if (rulesSrc && rulesData) {
    checkUnique(rulesData.holidays.map((h) => h.id).concat(rulesData.namedDays.map((n) => n.id)), (id) =>
      rulesSrc.issueAt([], `ngày lễ / ngày mốc "${id}" bị trùng id`), issues);
    if (!isValidZone(rulesData.zone)) issues.push(rulesSrc.issueAt(['zone'], `múi giờ "${rulesData.zone}" không tồn tại`));
    calendarRules = {
      zone: rulesData.zone,
      weeklyRest: rulesData.weeklyRest.map(weekdayNumber),
      holidays: rulesData.holidays.map((h) => ({ ...h, on: { ...h.on } })),
      namedDays: rulesData.namedDays,
    };
  }
  const decrees: YearDecree[] = [];
  for (const { year, src } of yearSrcs) {
    const data = parsed(src, yearDecreeFile);
    if (!data) continue;
    if (data.year !== year) issues.push(src.issueAt(['year'], `năm ${data.year} khác tên tệp ${year}.yaml`));
    const checkYear = (date: string, path: PropertyKey[]) => {
      if (yearOf(date) !== year) issues.push(src.issueAt(path, `ngày ${date} không thuộc năm ${year}`));
    };
    data.tet?.forEach((d, i) => checkYear(d, ['tet', i]));
    if (data.nationalDayAdjacent) checkYear(data.nationalDayAdjacent, ['nationalDayAdjacent']);
    data.days.forEach((d, i) => checkYear(d.date, ['days', i, 'date']));
    const holidayDays: Record<string, string[]> = {};
    if (data.tet) holidayDays.tet_am_lich = data.tet;
    if (data.nationalDayAdjacent === null) holidayDays.quoc_khanh = [`${year}-09-02`];
    else if (data.nationalDayAdjacent) holidayDays.quoc_khanh = [`${year}-09-02`, data.nationalDayAdjacent].sort();
    decrees.push({ year, sources: data.sources, holidayDays, days: data.days, substitutesListed: data.substitutesListed });
  }

  // Units
  const unitsData = unitsSrc && parsed(unitsSrc, unitsFile);
  const units: Unit[] = [];
  if (unitsSrc && unitsData) {
    const ids = new Set<string>();
    const contactIds = new Set<string>();
    unitsData.units.forEach((u, i) => {
      if (ids.has(u.id)) issues.push(unitsSrc.issueAt(['units', i, 'id'], `đơn vị "${u.id}" bị trùng id`));
      ids.add(u.id);
      u.contacts.forEach((c, j) => {
        if (contactIds.has(c.id)) issues.push(unitsSrc.issueAt(['units', i, 'contacts', j, 'id'], `người nhận "${c.id}" bị trùng id`));
        contactIds.add(c.id);
      });
      if (u.leader && !u.contacts.some((c) => c.id === u.leader)) {
        issues.push(unitsSrc.issueAt(['units', i, 'leader'], `lãnh đạo "${u.leader}" không có trong danh sách người nhận của đơn vị`));
      }
      u.standingCommittee?.forEach((m, j) => {
        if (!u.contacts.some((c) => c.id === m)) {
          issues.push(unitsSrc.issueAt(['units', i, 'standingCommittee', j], `ủy viên Ban Thường vụ "${m}" không có trong danh sách người nhận của đơn vị`));
        }
      });
    });
    unitsData.units.forEach((u, i) => {
      if (u.parent !== null && !ids.has(u.parent)) issues.push(unitsSrc.issueAt(['units', i, 'parent'], `đơn vị cấp trên "${u.parent}" không tồn tại`));
    });
    const parentOf = new Map(unitsData.units.map((u) => [u.id, u.parent]));
    unitsData.units.forEach((u, i) => {
      const seen = new Set<string>([u.id]);
      for (let p = u.parent; p !== null && p !== undefined; p = parentOf.get(p) ?? null) {
        if (seen.has(p)) {
          issues.push(unitsSrc.issueAt(['units', i, 'parent'], `cây đơn vị có vòng lặp: ${[...seen, p].join(' → ')}`));
          break;
        }
        seen.add(p);
      }
    });
    units.push(...unitsData.units);
  }
  const allContactIds = new Set(units.flatMap((u) => u.contacts.map((c) => c.id)));
  const unitIds = new Set(units.map((u) => u.id));
  const anchors = new Set(calendarRules ? [...calendarRules.namedDays.map((n) => n.id), ...calendarRules.holidays.map((h) => h.id)] : []);

  // Directives and obligations
  const directives: Directive[] = [];
  const obligations: Obligation[] = [];
  const obligationIds = new Set<string>();
  for (const { id: fileId, src } of directiveSrcs) {
    const data = parsed(src, directiveFile);
    if (!data) continue;
    // The header is checked on its own so that a bad header does not hide the obligations' problems.
    const header = parsedAt(src, directiveHeader, data.directive, ['directive']);
    const d = header ?? { id: fileId };
    if (header) {
      if (header.id !== fileId) issues.push(src.issueAt(['directive', 'id'], `id "${header.id}" phải trùng tên tệp (${fileId}.yaml)`));
      if (directives.some((x) => x.id === header.id)) issues.push(src.issueAt(['directive', 'id'], `văn bản "${header.id}" bị trùng id`));
      if (header.term?.from && header.term.until && header.term.until < header.term.from) {
        issues.push(src.issueAt(['directive', 'term', 'until'], 'hiệu lực của văn bản kết thúc trước khi bắt đầu'));
      }
      directives.push(header);
    }
    data.obligations.forEach((raw, i) => {
      const at = (...path: PropertyKey[]) => ['obligations', i, ...path];
      const checkAssignees = (a: { units?: string[]; childrenOf?: string[] }) => {
        for (const key of ['units', 'childrenOf'] as const) {
          a[key]?.forEach((u, j) => unitIds.has(u) || issues.push(src.issueAt(at('assignees', key, j), `đơn vị "${u}" không tồn tại`)));
        }
      };
      const o = parsedAt(src, obligationInput, raw, at());
      if (!o) {
        // Still check what can be checked, so one pass shows every problem of the obligation.
        const rawAssignees = assigneesInput.safeParse((raw as { assignees?: unknown } | null)?.assignees);
        if (rawAssignees.success && unitsData) checkAssignees(rawAssignees.data);
        return;
      }
      if (!o.id.startsWith(`${d.id}.`)) issues.push(src.issueAt(at('id'), `id nhiệm vụ phải bắt đầu bằng "${d.id}."`));
      if (obligationIds.has(o.id)) issues.push(src.issueAt(at('id'), `nhiệm vụ "${o.id}" bị trùng id`));
      obligationIds.add(o.id);
      if (o.phrase && o.sentence && !o.sentence.includes(o.phrase)) issues.push(src.issueAt(at('phrase'), 'cụm từ không nằm trong câu trích dẫn (sentence)'));
      const assignees = { units: o.assignees.units ?? [], childrenOf: o.assignees.childrenOf ?? [] };
      if (assignees.units.length + assignees.childrenOf.length === 0) issues.push(src.issueAt(at('assignees'), 'chưa giao cho đơn vị nào'));
      if (unitsData) checkAssignees(assignees);
      if (o.validFrom && o.validUntil && o.validUntil < o.validFrom) issues.push(src.issueAt(at('validUntil'), 'hiệu lực kết thúc trước khi bắt đầu'));
      if (!settings) return;
      const rule = toDueRule(o.rule, settings, (path, message) => issues.push(src.issueAt(at('rule', ...path), message)));
      if (!rule) return;
      if (!o.assumed && needsAssumption(o.rule)) {
        issues.push(src.issueAt(at('rule'), 'văn bản không ghi ngày hoặc thời hạn: dùng mặc định thì phải ghi `assumed` để quản trị viên xác nhận'));
      }
      if (rule.kind === 'relative' && calendarRules && !anchors.has(rule.anchor)) {
        issues.push(src.issueAt(at('rule', 'anchor'), `ngày mốc "${rule.anchor}" không có trong calendar/rules.yaml (có: ${[...anchors].join(', ')})`));
      }
      const ladder = o.ladder ? ladderOf(o.ladder, src, at('ladder'), issues) : undefined;
      const escalation = o.escalation ? escalationOf(o.escalation, src, at('escalation'), issues) : undefined;
      if (o.escalation && unitsData) {
        o.escalation.levels.forEach((l, li) => {
          if (typeof l.notify === 'object') {
            for (const c of l.notify.contacts) {
              if (!allContactIds.has(c)) issues.push(src.issueAt(at('escalation', 'levels', li, 'notify', 'contacts'), `người nhận "${c}" không tồn tại`));
            }
          }
        });
      }
      obligations.push({
        id: o.id,
        directiveId: d.id,
        title: o.title,
        clause: o.clause,
        sentence: o.sentence,
        phrase: o.phrase,
        rule,
        roll: o.roll ?? settings.roll,
        ladder,
        escalation,
        validFrom: o.validFrom,
        validUntil: o.validUntil,
        assignees,
        assumed: o.assumed,
        note: o.note,
      });
    });
  }

  if (issues.length > 0 || !settings || !calendarRules) return { ok: false, issues };
  return {
    ok: true,
    catalogue: deepFreeze({ settings, calendarRules, decrees: decrees.sort((a, b) => a.year - b.year), units, directives, obligations }),
  };
}

/** A rule that leaves its date or period to a default in settings.yaml: an admin must confirm it. */
export function needsAssumption(rule: RuleInput): boolean {
  return (
    (rule.kind === 'yearly' && rule.month === undefined) ||
    (rule.kind === 'semiannual' && rule.dates === undefined) ||
    (rule.kind === 'on_event' && rule.workingDays === undefined) ||
    ('orOnEvent' in rule && rule.orOnEvent === true)
  );
}

/** YAML rule → domain rule, filling the documented defaults; reports what is missing or impossible. */
/** A rule as written (YAML, API) resolved against the settings' defaults; problems go to `report`. */
export function toDueRule(input: RuleInput, settings: Settings, report: (path: PropertyKey[], message: string) => void): DueRule | undefined {
  const orOnEvent: EventDue | undefined =
    'orOnEvent' in input && input.orOnEvent !== undefined
      ? { workingDays: input.orOnEvent === true ? settings.defaults.eventWorkingDays : input.orOnEvent.workingDays }
      : undefined;
  let rule: DueRule | undefined;
  switch (input.kind) {
    case 'once':
      rule = { kind: 'once', date: input.date, bound: input.bound };
      break;
    case 'yearly':
      if ((input.month === undefined) !== (input.day === undefined)) {
        report([input.month === undefined ? 'month' : 'day'], 'hằng năm: cần cả tháng và ngày, hoặc bỏ cả hai');
        return undefined;
      }
      rule = { kind: 'yearly', month: input.month ?? settings.defaults.yearly.month, day: input.day ?? settings.defaults.yearly.day };
      break;
    case 'semiannual':
      rule = { kind: 'semiannual', dates: input.dates ?? settings.defaults.semiannual };
      break;
    case 'quarterly':
      rule = { kind: 'quarterly', monthOfQuarter: input.monthOfQuarter, day: input.day };
      break;
    case 'monthly':
      rule = { kind: 'monthly', day: input.day };
      break;
    case 'period': {
      const window = periodWindow(input, report);
      if (!window) return undefined;
      rule = { kind: 'period', window };
      break;
    }
    case 'continuous':
      rule = { kind: 'continuous', checkIn: input.checkIn };
      break;
    case 'on_event':
      rule = { kind: 'on_event', workingDays: input.workingDays ?? settings.defaults.eventWorkingDays };
      break;
    case 'relative':
      rule = { kind: 'relative', anchor: input.anchor, offsetDays: input.offsetDays, year: input.year };
      break;
    case 'rrule':
      rule = { kind: 'rrule', rrule: input.rrule, start: input.start };
      break;
  }
  if (orOnEvent) rule = { ...rule, orOnEvent };
  try {
    return validateRule(rule);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    report([], e.message);
    return undefined;
  }
}

type PeriodInput = Extract<RuleInput, { kind: 'period' }>;
const PERIOD_FIELDS: Record<PeriodInput['unit'], readonly (keyof PeriodInput)[]> = {
  quarter: ['year', 'quarter'],
  month: ['year', 'month'],
  half: ['year', 'half'],
  year: ['year'],
  range: ['start', 'end'],
};

function periodWindow(input: PeriodInput, report: (path: PropertyKey[], message: string) => void): PeriodWindow | undefined {
  const wanted = PERIOD_FIELDS[input.unit];
  let ok = true;
  for (const f of wanted) {
    if (input[f] === undefined) {
      report([f], `thời kỳ "${input.unit}" cần trường ${String(f)}`);
      ok = false;
    }
  }
  for (const f of ['year', 'quarter', 'month', 'half', 'start', 'end'] as const) {
    if (input[f] !== undefined && !wanted.includes(f)) {
      report([f], `trường ${f} không dùng cho thời kỳ "${input.unit}" (cần: ${wanted.join(', ')})`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  switch (input.unit) {
    case 'quarter':
      return { unit: 'quarter', year: input.year!, quarter: input.quarter! };
    case 'month':
      return { unit: 'month', year: input.year!, month: input.month! };
    case 'half':
      return { unit: 'half', year: input.year!, half: input.half! };
    case 'year':
      return { unit: 'year', year: input.year! };
    case 'range':
      return { unit: 'range', start: input.start!, end: input.end! };
  }
}

/** An escalation policy as written (YAML, API) as the domain's policy; throws DomainError when its numbers are wrong. */
export function escalationPolicyFrom(input: EscalationInput): EscalationPolicy {
  return checkEscalationPolicy({
    levels: input.levels.map((l, i) => ({
      level: i + 1,
      afterWorkingDays: l.afterWorkingDays,
      notify: typeof l.notify === 'string' ? { kind: l.notify } : { kind: 'contacts', contactIds: l.notify.contacts },
    })),
    repeatEveryWorkingDays: input.repeatEveryWorkingDays,
    maxRepeats: input.maxRepeats,
  });
}

function escalationOf(input: EscalationInput, src: YamlSource, path: PropertyKey[], issues: CatalogueIssue[]): EscalationPolicy | undefined {
  try {
    return escalationPolicyFrom(input);
  } catch (e) {
    if (isDomainError(e)) {
      issues.push(src.issueAt(path, e.message));
      return undefined;
    }
    throw e;
  }
}

function ladderOf(input: readonly string[], src: YamlSource, path: PropertyKey[], issues: CatalogueIssue[]): ReminderLadder | undefined {
  try {
    return parseLadder(input);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    issues.push(src.issueAt(path, e.message));
    return undefined;
  }
}

function checkUnique(ids: readonly string[], issue: (id: string) => CatalogueIssue, issues: CatalogueIssue[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) issues.push(issue(id));
    seen.add(id);
  }
}

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'chuỗi',
  number: 'số',
  boolean: 'true/false',
  array: 'danh sách',
  object: 'bảng khóa: giá trị',
};

function describeZodIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `trường không có trong định dạng: ${issue.keys.join(', ')} (xem config/README.md)`;
    case 'invalid_type':
      if (issue.input === undefined) return 'thiếu trường bắt buộc';
      // A schema's own message says more than the type name (e.g. the ladder's example).
      return /^Invalid input/.test(issue.message) ? `sai kiểu: cần ${TYPE_WORDS[issue.expected] ?? issue.expected}` : issue.message;
    case 'too_big':
      return /^Too big/.test(issue.message) ? `quá lớn: tối đa ${String(issue.maximum)}` : issue.message;
    case 'too_small':
      return /^Too small/.test(issue.message) ? `quá nhỏ: tối thiểu ${String(issue.minimum)}` : issue.message;
    case 'invalid_value':
      return `giá trị không hợp lệ; dùng một trong: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
