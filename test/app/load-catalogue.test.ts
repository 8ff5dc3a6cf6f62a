import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readConfigDir } from '../../src/adapters/files/config-dir.js';
import { loadCatalogue, type LoadResult } from '../../src/app/catalogue/load-catalogue.js';
import { formatIssue, type CatalogueIssue, type SourceFile } from '../../src/app/catalogue/yaml-source.js';
import { CONFIG_DIR } from '../support/shipped-config.js';

/**
 * Bad input for loadCatalogue: every problem is reported at once, each with its file, line,
 * column and field path, and nothing is loaded. Most cases start from the shipped config/
 * (as readConfigDir returns it) and change one file; the unit-tree cases use a small tree.
 */

let shipped: readonly SourceFile[];
beforeAll(async () => {
  shipped = await readConfigDir(CONFIG_DIR);
});

const UNITS = 'catalogue/units.yaml';
const SETTINGS = 'settings.yaml';
const DMC_159 = 'catalogue/directives/dmc-159-2020.yaml';
const DMC_94 = 'catalogue/directives/dmc-94-kh-2021.yaml';
const TD_865 = 'catalogue/directives/td-865-cv-hu-2023.yaml';
const TLD_07 = 'catalogue/directives/tld-07-nq-2020.yaml';

// ── helpers ──────────────────────────────────────────────────────────────────

function textOf(files: readonly SourceFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the file set`);
  return file.text;
}

/** Replaces `from` (which must occur exactly once) by `to` in one file of the set. */
function edit(files: readonly SourceFile[], path: string, from: string, to: string): SourceFile[] {
  const text = textOf(files, path);
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`test setup: ${JSON.stringify(from)} occurs ${count} times in ${path}, expected once`);
  return files.map((f) => (f.path === path ? { path, text: text.replace(from, to) } : f));
}

/** Replaces (or adds) one file of the set. */
function withFile(files: readonly SourceFile[], path: string, text: string): SourceFile[] {
  return [...files.filter((f) => f.path !== path), { path, text }];
}

/**
 * 1-based line and column of `needle`, which must occur exactly once: its first character, or
 * where a "‸" in it stands (the "‸" itself is not part of the text).
 */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const caret = Math.max(0, needle.indexOf('‸'));
  const plain = needle.replace('‸', '');
  const start = text.indexOf(plain);
  if (start < 0 || text.indexOf(plain, start + 1) >= 0) throw new Error(`test setup: ${JSON.stringify(plain)} must occur exactly once`);
  const before = text.slice(0, start + caret).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const obligationIndex = (files: readonly SourceFile[], path: string, id: string): number =>
  indexOf((parse(textOf(files, path)) as { obligations: { id: string }[] }).obligations, id, path);
const unitIndex = (files: readonly SourceFile[], id: string): number =>
  indexOf((parse(textOf(files, UNITS)) as { units: { id: string }[] }).units, id, UNITS);
function indexOf(items: readonly { id: string }[], id: string, path: string): number {
  const i = items.findIndex((x) => x.id === id);
  if (i < 0) throw new Error(`test setup: no ${id} in ${path}`);
  return i;
}

function rejected(result: LoadResult): CatalogueIssue[] {
  expect(result.ok).toBe(false);
  expect(result).not.toHaveProperty('catalogue');
  if (result.ok) throw new Error('unreachable');
  return result.issues;
}

interface Expected {
  readonly file: string;
  readonly field: string | undefined;
  /** Text in the (changed) file the issue must point at: its first character, or the "‸" in it. */
  readonly at: string;
  readonly message: RegExp;
}

/** Exactly these issues, in any order, each at its file, line, column and field, with its message. */
function expectIssues(files: readonly SourceFile[], issues: readonly CatalogueIssue[], expected: readonly Expected[]): void {
  const where = (x: { file: string; line?: number; column?: number; field?: string }) => `${x.file}:${x.line}:${x.column}: ${x.field}`;
  const want = expected.map((e) => ({ where: where({ file: e.file, ...positionOf(textOf(files, e.file), e.at), field: e.field }), message: e.message }));
  const report = issues.map(formatIssue).join('\n');
  expect(issues.map(where).sort(), report).toEqual(want.map((w) => w.where).sort());
  // Same places: now each expected message must be matched by its own issue.
  const unused = [...issues];
  for (const w of want) {
    const i = unused.findIndex((issue) => where(issue) === w.where && w.message.test(issue.message));
    expect(i, `no issue at ${w.where} says ${w.message}:\n${report}`).toBeGreaterThanOrEqual(0);
    unused.splice(i, 1);
  }
}

/** A small organisation for the unit-tree cases: root → child. */
const SMALL_UNITS = `units:
  - id: root
    name: "Đơn vị gốc"
    kind: province
    parent: null
    leader: root.chair
    contacts:
      - id: root.chair
        name: "Người A"
        email: "a@example.org"
  - id: child
    name: "Đơn vị con"
    kind: district
    parent: root
`;

/** The shipped settings and calendar, a small unit tree and no directive. */
const smallSet = (units: string = SMALL_UNITS): SourceFile[] => [
  ...shipped.filter((f) => !f.path.startsWith('catalogue/')),
  { path: UNITS, text: units },
];

/** A one-obligation directive for the small tree; `extra` is appended to the obligations list. */
const smallDirective = (extra = '', id = 'd1') => `directive:
  id: ${id}
  number: "1/TEST"
  issuer: "Đơn vị gốc"
  issuedOn: 2020-01-01
  title: "Văn bản thử"
obligations:
  - id: ${id}.first
    title: "Nhiệm vụ một"
    rule: { kind: once, date: 2020-05-21, bound: no_later_than }
    assignees: { units: [child] }
${extra}`;

// ── the baseline ─────────────────────────────────────────────────────────────

describe('the inputs the cases start from', () => {
  it('the shipped config loads', () => {
    const result = loadCatalogue(shipped);
    expect(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n')).toBe(true);
  });

  it('the small set with its one-obligation directive loads', () => {
    const result = loadCatalogue(withFile(smallSet(), 'catalogue/directives/d1.yaml', smallDirective()));
    expect(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n')).toBe(true);
  });
});

// ── one problem at a time ────────────────────────────────────────────────────

interface Case {
  readonly name: string;
  readonly files: () => SourceFile[];
  readonly expected: (files: readonly SourceFile[]) => Expected[];
}

const STAFF_EVALUATION = 'phrase: "đánh giá cán bộ, công chức hàng năm"\n    rule: { kind: yearly }\n    assignees: { units: [dmc] }\n';

const CASES: Case[] = [
  {
    name: 'date 31/2/2023 (2023-02-31)',
    files: () => edit(shipped, TD_865, 'rule: { kind: once, date: 2023-05-31, bound: before }', 'rule: { kind: once, date: 2023-02-31, bound: before }'),
    expected: (files) => [
      { file: TD_865, field: `obligations[${obligationIndex(files, TD_865, 'td-865-cv-hu-2023.grassroots-congress')}].rule.date`, at: 'date: 2023-02-31', message: /ngày có thật/ },
    ],
  },
  {
    name: 'date 29/2 in a year that is not a leap year, quoted (validFrom "2023-02-29")',
    files: () =>
      edit(shipped, DMC_159, '    rule: { kind: on_event }\n', '    rule: { kind: on_event }\n    validFrom: "2023-02-29"\n'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.emerging-issues-report')}].validFrom`, at: 'validFrom: "2023-02-29"', message: /ngày có thật/ },
    ],
  },
  {
    name: 'month 13 in a yearly rule',
    files: () => edit(shipped, DMC_159, 'rule: { kind: yearly, month: 12, day: 31 }', 'rule: { kind: yearly, month: 13, day: 31 }'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.year-end-staff-rating')}].rule.month`, at: 'month: 13', message: /tháng từ 1 đến 12/ },
    ],
  },
  {
    // The domain validates the period window as a whole: the issue points at the rule.
    name: 'month 13 in a period/month rule',
    files: () =>
      edit(shipped, DMC_94, 'rule: { kind: period, unit: month, year: 2022, month: 11 }', 'rule: { kind: period, unit: month, year: 2022, month: 13 }'),
    expected: (files) => [
      {
        file: DMC_94,
        field: `obligations[${obligationIndex(files, DMC_94, 'dmc-94-kh-2021.worker-unity-review-2022')}].rule`,
        at: 'rule: { kind: period, unit: month, year: 2022, month: 13 }',
        message: /Tháng 13/,
      },
    ],
  },
  {
    name: 'month 13 in a date (2020-13-01)',
    files: () => edit(shipped, DMC_159, 'date: 2020-05-21', 'date: 2020-13-01'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.membership-analysis')}].rule.date`, at: 'date: 2020-13-01', message: /ngày có thật/ },
    ],
  },
  {
    name: 'quarter 5 in a period/quarter rule',
    files: () =>
      edit(
        shipped,
        DMC_94,
        'phrase: "trong Quý II/2021"\n    rule: { kind: period, unit: quarter, year: 2021, quarter: 2 }',
        'phrase: "trong Quý II/2021"\n    rule: { kind: period, unit: quarter, year: 2021, quarter: 5 }',
      ),
    expected: (files) => [
      {
        file: DMC_94,
        field: `obligations[${obligationIndex(files, DMC_94, 'dmc-94-kh-2021.restructure-apparatus')}].rule`,
        at: 'rule: { kind: period, unit: quarter, year: 2021, quarter: 5 }',
        message: /Quý 5/,
      },
    ],
  },
  {
    name: 'month 5 of a quarter in a quarterly rule',
    files: () =>
      withFile(smallSet(), 'catalogue/directives/d1.yaml', smallDirective().replace('rule: { kind: once, date: 2020-05-21, bound: no_later_than }', 'rule: { kind: quarterly, monthOfQuarter: 5 }')),
    expected: () => [{ file: 'catalogue/directives/d1.yaml', field: 'obligations[0].rule.monthOfQuarter', at: 'monthOfQuarter: 5', message: /3/ }],
  },
  {
    name: 'a period of half 3',
    files: () =>
      withFile(smallSet(), 'catalogue/directives/d1.yaml', smallDirective().replace('rule: { kind: once, date: 2020-05-21, bound: no_later_than }', 'rule: { kind: period, unit: half, year: 2021, half: 3 }')),
    expected: () => [{ file: 'catalogue/directives/d1.yaml', field: 'obligations[0].rule', at: 'rule: { kind: period, unit: half', message: /Nửa năm 3/ }],
  },
  {
    name: 'a period/quarter rule without its quarter',
    files: () =>
      edit(
        shipped,
        DMC_94,
        'phrase: "trong Quý II/2021"\n    rule: { kind: period, unit: quarter, year: 2021, quarter: 2 }',
        'phrase: "trong Quý II/2021"\n    rule: { kind: period, unit: quarter, year: 2021 }',
      ),
    expected: (files) => [
      {
        file: DMC_94,
        field: `obligations[${obligationIndex(files, DMC_94, 'dmc-94-kh-2021.restructure-apparatus')}].rule.quarter`,
        // The field is missing: the issue points at the rule.
        at: 'rule: { kind: period, unit: quarter, year: 2021 }',
        message: /cần trường quarter/,
      },
    ],
  },
  {
    name: 'unknown unit ids in assignees (units and childrenOf)',
    files: () => edit(shipped, TD_865, 'assignees: { units: [td] }', 'assignees: { units: [td, tam-duong], childrenOf: [ghost] }'),
    expected: (files) => {
      const i = obligationIndex(files, TD_865, 'td-865-cv-hu-2023.district-congress');
      return [
        { file: TD_865, field: `obligations[${i}].assignees.units[1]`, at: 'tam-duong]', message: /"tam-duong" không tồn tại/ },
        { file: TD_865, field: `obligations[${i}].assignees.childrenOf[0]`, at: 'ghost]', message: /"ghost" không tồn tại/ },
      ];
    },
  },
  {
    name: 'an obligation with no assignee',
    files: () => edit(shipped, TD_865, 'assignees: { units: [td] }', 'assignees: {}'),
    expected: (files) => [
      { file: TD_865, field: `obligations[${obligationIndex(files, TD_865, 'td-865-cv-hu-2023.district-congress')}].assignees`, at: 'assignees: {}', message: /chưa giao/ },
    ],
  },
  {
    name: 'duplicate obligation id in one file',
    files: () => edit(shipped, DMC_159, '- id: dmc-159-2020.thematic-report', '- id: dmc-159-2020.semiannual-report'),
    expected: () => [
      // The second of the two: the obligation that was thematic-report.
      { file: DMC_159, field: `obligations[${obligationIndex(shipped, DMC_159, 'dmc-159-2020.thematic-report')}].id`, at: 'id: dmc-159-2020.semiannual-report\n    title: "Báo cáo chuyên đề', message: /bị trùng id/ },
    ],
  },
  {
    name: 'duplicate obligation id across two files',
    files: () =>
      withFile(
        withFile(smallSet(), 'catalogue/directives/d1.yaml', smallDirective()),
        'catalogue/directives/d2.yaml',
        smallDirective(`  - id: d1.first\n    title: "Chép nhầm id của d1"\n    rule: { kind: continuous }\n    assignees: { units: [root] }\n`, 'd2'),
      ),
    expected: () => [
      { file: 'catalogue/directives/d2.yaml', field: 'obligations[1].id', at: 'id: d1.first', message: /bị trùng id/ },
      { file: 'catalogue/directives/d2.yaml', field: 'obligations[1].id', at: 'id: d1.first', message: /phải bắt đầu bằng "d2\."/ },
    ],
  },
  {
    name: 'duplicate unit id',
    files: () => edit(shipped, UNITS, '- id: dmc.thcs-phuoc-minh\n', '- id: dmc.thpt-dmc\n'),
    expected: () => [
      // The first dmc.thpt-dmc stays; the second (was dmc.thcs-phuoc-minh) is the duplicate.
      { file: UNITS, field: `units[${unitIndex(shipped, 'dmc.thcs-phuoc-minh')}].id`, at: 'id: dmc.thpt-dmc\n    name: "CĐCS Trường THCS Phước Minh"', message: /"dmc\.thpt-dmc" bị trùng id/ },
    ],
  },
  {
    name: 'duplicate contact id',
    files: () => edit(shipped, UNITS, '- id: td.thpt-tam-duong.vice-chairman', '- id: td.thpt-tam-duong.chairman'),
    expected: () => [
      { file: UNITS, field: `units[${unitIndex(shipped, 'td.thpt-tam-duong')}].contacts[1].id`, at: 'id: td.thpt-tam-duong.chairman\n        name: "Tẩn Văn Sơn"', message: /bị trùng id/ },
    ],
  },
  {
    name: 'unknown rule kind',
    files: () => edit(shipped, DMC_159, 'rule: { kind: on_event }', 'rule: { kind: weekly }'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.emerging-issues-report')}].rule.kind`, at: 'kind: weekly', message: /once.*yearly/ },
    ],
  },
  {
    name: 'a rule with no kind',
    files: () => edit(shipped, DMC_159, 'rule: { kind: on_event }', 'rule: { workingDays: 5 }'),
    expected: (files) => [
      // The field is missing: the issue points at the rule.
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.emerging-issues-report')}].rule.kind`, at: 'rule: { workingDays: 5 }', message: /./ },
    ],
  },
  {
    name: 'parent cycle in units (a → b → a)',
    files: () =>
      smallSet(
        SMALL_UNITS +
          `  - id: a
    name: "Đơn vị A"
    kind: district
    parent: b
  - id: b
    name: "Đơn vị B"
    kind: district
    parent: a
`,
      ),
    expected: () => [
      { file: UNITS, field: 'units[2].parent', at: 'parent: b', message: /vòng lặp: a → b → a/ },
      { file: UNITS, field: 'units[3].parent', at: 'parent: a', message: /vòng lặp: b → a → b/ },
    ],
  },
  {
    name: 'a unit that is its own parent',
    files: () => smallSet(SMALL_UNITS + '  - id: self\n    name: "Tự trỏ"\n    kind: district\n    parent: self\n'),
    expected: () => [{ file: UNITS, field: 'units[2].parent', at: 'parent: self', message: /vòng lặp/ }],
  },
  {
    name: 'unknown parent unit',
    files: () => smallSet(SMALL_UNITS.replace('parent: root', 'parent: rooot')),
    expected: () => [{ file: UNITS, field: 'units[1].parent', at: 'parent: rooot', message: /"rooot" không tồn tại/ }],
  },
  {
    name: "leader not among the unit's contacts (a contact of another unit)",
    files: () => edit(shipped, UNITS, 'leader: td.chairman', 'leader: dmc.chairman'),
    expected: () => [
      { file: UNITS, field: `units[${unitIndex(shipped, 'td')}].leader`, at: 'leader: dmc.chairman\n    contacts:\n      - id: td.chairman', message: /"dmc\.chairman" không có trong danh sách/ },
    ],
  },
  {
    name: 'period window (range) ending before it starts',
    files: () => edit(shipped, TLD_07, 'start: 2019-01-01, end: 2023-12-31', 'start: 2023-12-31, end: 2019-01-01'),
    expected: (files) => [
      {
        file: TLD_07,
        field: `obligations[${obligationIndex(files, TLD_07, 'tld-07-nq-2020.competitiveness-programme')}].rule`,
        at: 'rule: { kind: period, unit: range',
        message: /kết thúc \(2019-01-01\) trước khi bắt đầu \(2023-12-31\)/,
      },
    ],
  },
  {
    name: 'validity (validFrom..validUntil) ending before it starts',
    files: () => edit(shipped, DMC_159, '    rule: { kind: on_event }\n', '    rule: { kind: on_event }\n    validFrom: 2021-06-30\n    validUntil: 2021-01-01\n'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.emerging-issues-report')}].validUntil`, at: 'validUntil: 2021-01-01', message: /kết thúc trước khi bắt đầu/ },
    ],
  },
  {
    name: 'settings ladder entry that is not a duration',
    files: () => edit(shipped, SETTINGS, 'ladder: [30d, 7d, 3wd, 1wd, 0d]', 'ladder: [30d, 7d, "3 tuần", 1wd, 0d]'),
    expected: () => [{ file: SETTINGS, field: 'reminders.ladder', at: 'ladder: [30d', message: /thứ 3 \("3 tuần"\) không phải khoảng thời gian/ }],
  },
  {
    name: 'obligation ladder entry that is not a duration',
    files: () => edit(shipped, DMC_159, '    rule: { kind: on_event }\n', '    rule: { kind: on_event }\n    ladder: [7d, soon]\n'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.emerging-issues-report')}].ladder`, at: 'ladder: [7d, soon]', message: /"soon"/ },
    ],
  },
  {
    name: 'escalation levels that go backwards',
    files: () => edit(shipped, SETTINGS, '- { afterWorkingDays: 3, notify: parent_leadership }', '- { afterWorkingDays: 0, notify: parent_leadership }'),
    expected: () => [{ file: SETTINGS, field: 'escalation.levels[1].afterWorkingDays', at: 'afterWorkingDays: 0', message: /từ 1 ngày làm việc/ }],
  },
  {
    name: 'escalation to an unknown kind of target',
    files: () => edit(shipped, SETTINGS, 'notify: unit_leader }', 'notify: chairman }'),
    expected: () => [{ file: SETTINGS, field: 'escalation.levels[0].notify', at: 'notify: chairman', message: /./ }],
  },
  {
    name: "an obligation's own escalation naming a contact that does not exist",
    files: () =>
      edit(shipped, DMC_159, '    rule: { kind: on_event }\n', '    rule: { kind: on_event }\n    escalation: { levels: [{ afterWorkingDays: 2, notify: { contacts: [dmc.nobody] } }], repeatEveryWorkingDays: 5, maxRepeats: 1 }\n'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.emerging-issues-report')}].escalation.levels[0].notify.contacts`, at: 'contacts: [dmc.nobody]', message: /"dmc\.nobody" không tồn tại/ },
    ],
  },
  {
    name: 'a standing committee member who is not a contact of the unit',
    files: () => edit(shipped, UNITS, 'standingCommittee: [dmc.chairman, dmc.standing-vice-chairman]', 'standingCommittee: [dmc.chairman, tn.chairman]'),
    expected: () => [{ file: UNITS, field: `units[${unitIndex(shipped, 'dmc')}].standingCommittee[1]`, at: 'tn.chairman]', message: /"tn\.chairman" không có trong danh sách/ }],
  },
  {
    name: 'a ladder that is not a list',
    files: () => edit(shipped, SETTINGS, 'ladder: [30d, 7d, 3wd, 1wd, 0d]', 'ladder: 30d'),
    expected: () => [{ file: SETTINGS, field: 'reminders.ladder', at: 'ladder: 30d', message: /lịch nhắc phải là danh sách/ }],
  },
  {
    name: "phrase not contained in the obligation's sentence",
    files: () => edit(shipped, DMC_159, 'phrase: "chậm nhất ngày 21/5/2020"', 'phrase: "chậm nhất ngày 22/5/2020"'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.membership-analysis')}].phrase`, at: 'phrase: "chậm nhất ngày 22/5/2020"', message: /không nằm trong câu/ },
    ],
  },
  {
    name: 'unknown extra key in an obligation (strict schema)',
    files: () => edit(shipped, DMC_159, '    phrase: "chậm nhất ngày 21/5/2020"\n', '    phrase: "chậm nhất ngày 21/5/2020"\n    deadline: 2020-05-21\n'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.membership-analysis')}]`, at: 'id: dmc-159-2020.membership-analysis', message: /trường không có trong định dạng: deadline/ },
    ],
  },
  {
    name: 'unknown extra key in a rule (strict schema)',
    files: () => edit(shipped, DMC_159, 'rule: { kind: yearly, month: 10, day: 30 }', 'rule: { kind: yearly, month: 10, day: 30, every: year }'),
    expected: (files) => [
      { file: DMC_159, field: `obligations[${obligationIndex(files, DMC_159, 'dmc-159-2020.thematic-report')}].rule`, at: 'rule: { kind: yearly, month: 10, day: 30, every: year }', message: /every/ },
    ],
  },
  {
    name: 'unknown extra key in the directive header (misspelt issuedOn)',
    files: () => edit(shipped, DMC_159, '  issuedOn: 2020-04-14\n', '  issuedOn: 2020-04-14\n  issueDate: 2020-04-14\n'),
    // The issue points at the object that has the key, not at the key.
    expected: () => [{ file: DMC_159, field: 'directive', at: 'directive:\n', message: /trường không có trong định dạng: issueDate/ }],
  },
  {
    name: 'unknown extra key in a contact (strict schema)',
    files: () => edit(shipped, UNITS, '        email: "chutich.tn@example.org"\n', '        email: "chutich.tn@example.org"\n        mail: "x@example.org"\n'),
    expected: () => [
      { file: UNITS, field: `units[${unitIndex(shipped, 'tn')}].contacts[0]`, at: 'id: tn.chairman', message: /trường không có trong định dạng: mail/ },
    ],
  },
  {
    name: 'a missing required field (directive title)',
    files: () => edit(shipped, TD_865, '  title: "Tăng cường lãnh đạo, chỉ đạo hoạt động của tổ chức Công đoàn"\n', ''),
    // The field is missing: the issue points at the object that should have it.
    expected: () => [{ file: TD_865, field: 'directive.title', at: 'directive:\n', message: /thiếu trường bắt buộc/ }],
  },
  {
    name: 'a relative rule with an anchor that calendar/rules.yaml does not name',
    files: () => edit(shipped, 'catalogue/directives/bt-nhiem-vu-2020.yaml', 'anchor: tet_nguyen_dan', 'anchor: tet_trung_thu'),
    expected: (files) => [
      {
        file: 'catalogue/directives/bt-nhiem-vu-2020.yaml',
        field: `obligations[${obligationIndex(files, 'catalogue/directives/bt-nhiem-vu-2020.yaml', 'bt-nhiem-vu-2020.tet-canh-ty-care')}].rule.anchor`,
        at: 'anchor: tet_trung_thu',
        message: /"tet_trung_thu" không có trong calendar\/rules\.yaml/,
      },
    ],
  },
  {
    name: 'a yearly rule without a date and without `assumed`',
    files: () =>
      edit(
        shipped,
        DMC_94,
        `${STAFF_EVALUATION}    assumed: "Văn bản không ghi ngày cụ thể; mặc định 31/12 hằng năm — cần xác nhận."\n`,
        STAFF_EVALUATION,
      ),
    expected: (files) => [
      {
        file: DMC_94,
        field: `obligations[${obligationIndex(files, DMC_94, 'dmc-94-kh-2021.annual-staff-evaluation')}].rule`,
        at: STAFF_EVALUATION.replace('rule:', '‸rule:'),
        message: /assumed/,
      },
    ],
  },
  {
    name: 'directive id different from its file name',
    files: () => edit(shipped, TD_865, '  id: td-865-cv-hu-2023\n', '  id: td-865-2023\n'),
    expected: (files) => [
      { file: TD_865, field: 'directive.id', at: 'id: td-865-2023\n', message: /phải trùng tên tệp/ },
      // …and then no obligation id starts with the directive id.
      ...(parse(textOf(files, TD_865)) as { obligations: { id: string }[] }).obligations.map((o, i) => ({
        file: TD_865,
        field: `obligations[${i}].id`,
        at: `id: ${o.id}\n`,
        message: /phải bắt đầu bằng "td-865-2023\."/,
      })),
    ],
  },
];

describe('loadCatalogue rejects bad input with file, line, column and field', () => {
  it.each(CASES)('$name', ({ files, expected }) => {
    const set = files();
    expectIssues(set, rejected(loadCatalogue(set)), expected(set));
  });
});

// ── all at once ──────────────────────────────────────────────────────────────

describe('every problem is reported at once', () => {
  it('three problems in two files give three issues, and nothing is loaded', () => {
    let set = edit(shipped, UNITS, 'leader: td.chairman', 'leader: td.secretary');
    set = edit(set, DMC_159, 'date: 2020-05-21', 'date: 2020-02-30');
    set = edit(set, DMC_159, 'rule: { kind: on_event }', 'rule: { kind: weekly }');
    expectIssues(set, rejected(loadCatalogue(set)), [
      { file: UNITS, field: `units[${unitIndex(set, 'td')}].leader`, at: 'leader: td.secretary', message: /td\.secretary/ },
      { file: DMC_159, field: `obligations[${obligationIndex(set, DMC_159, 'dmc-159-2020.membership-analysis')}].rule.date`, at: 'date: 2020-02-30', message: /ngày có thật/ },
      { file: DMC_159, field: `obligations[${obligationIndex(set, DMC_159, 'dmc-159-2020.emerging-issues-report')}].rule.kind`, at: 'kind: weekly', message: /loại thời hạn|giá trị không hợp lệ/ },
    ]);
  });

  it('cross-reference problems in several directive files are all reported', () => {
    let set = edit(shipped, TD_865, 'assignees: { units: [td] }', 'assignees: { units: [tdx] }');
    set = edit(set, DMC_159, 'phrase: "ngày 30/10 hàng năm"', 'phrase: "ngày 31/10 hàng năm"');
    set = edit(set, TLD_07, 'start: 2019-01-01, end: 2023-12-31', 'start: 2023-12-31, end: 2019-01-01');
    set = edit(set, UNITS, '- id: dmc.thcs-phuoc-minh\n', '- id: dmc.ttyt-dmc\n');
    const issues = rejected(loadCatalogue(set));
    expect(issues.map((i) => `${i.file} ${i.field}`).sort()).toEqual(
      [
        `${DMC_159} obligations[${obligationIndex(set, DMC_159, 'dmc-159-2020.thematic-report')}].phrase`,
        `${TD_865} obligations[${obligationIndex(set, TD_865, 'td-865-cv-hu-2023.district-congress')}].assignees.units[0]`,
        `${TLD_07} obligations[${obligationIndex(set, TLD_07, 'tld-07-nq-2020.competitiveness-programme')}].rule`,
        // The later of the two dmc.ttyt-dmc is the duplicate.
        `${UNITS} units[${unitIndex(shipped, 'dmc.ttyt-dmc')}].id`,
      ].sort(),
    );
  });

  it('a syntax error in one file does not hide schema problems in another', () => {
    let set = edit(shipped, DMC_159, 'rule: { kind: on_event }', 'rule: { kind: on_event');
    set = edit(set, TD_865, 'date: 2023-05-31', 'date: 2023-05-32');
    const issues = rejected(loadCatalogue(set));
    expect(issues.map((i) => i.file).sort()).toEqual([DMC_159, TD_865].sort());
    expect(issues.find((i) => i.file === TD_865)?.field).toBe('obligations[0].rule.date');
  });

  it('schema problems in several obligations of one file are all reported, with their cross-reference problems', () => {
    let set = edit(shipped, DMC_159, 'date: 2020-05-21', 'date: 2020-05-32');
    set = edit(set, DMC_159, 'rule: { kind: yearly, month: 12, day: 31 }', 'rule: { kind: yearly, month: 12, day: 32 }');
    set = edit(set, DMC_159, 'phrase: "ngày 30/10 hàng năm"', 'phrase: "ngày 31/10 hàng năm"');
    set = edit(set, DMC_159, '    rule: { kind: on_event }\n    assignees: { childrenOf: [dmc] }', '    rule: { kind: on_event, colour: red }\n    assignees: { childrenOf: [dmx] }');
    const index = (id: string) => obligationIndex(set, DMC_159, `dmc-159-2020.${id}`);
    expect(rejected(loadCatalogue(set)).map((i) => i.field).sort()).toEqual(
      [
        `obligations[${index('membership-analysis')}].rule.date`,
        `obligations[${index('year-end-staff-rating')}].rule.day`,
        `obligations[${index('thematic-report')}].phrase`,
        `obligations[${index('emerging-issues-report')}].rule`,
        // An obligation that fails the schema still has its assignees checked.
        `obligations[${index('emerging-issues-report')}].assignees.childrenOf[0]`,
      ].sort(),
    );
  });

  it('a missing required file and a file outside the layout are reported, with the other problems', () => {
    let set: SourceFile[] = shipped.filter((f) => f.path !== UNITS);
    set = [...edit(set, TD_865, 'date: 2023-05-31', 'date: 2023-02-31'), { path: 'catalogue/unit.yaml', text: 'units: []\n' }];
    const issues = rejected(loadCatalogue(set));
    expect(issues.map((i) => i.file).sort()).toEqual([UNITS, 'catalogue/unit.yaml', TD_865].sort());
    expect(issues.find((i) => i.file === UNITS)?.message).toMatch(/thiếu tệp bắt buộc/);
  });
});

// ── malformed YAML ───────────────────────────────────────────────────────────

describe('malformed YAML', () => {
  const unclosed = () => edit(shipped, DMC_159, 'rule: { kind: on_event }', 'rule: { kind: on_event');
  const duplicateKey = () => edit(shipped, DMC_159, '  number: "159/LĐLĐ"\n', '  number: "159/LĐLĐ"\n  number: "160/LĐLĐ"\n');

  it.each([
    { name: 'an unclosed flow map', files: unclosed },
    { name: 'a duplicate key', files: duplicateKey },
    { name: 'a tab used as indentation', files: () => edit(shipped, DMC_159, '  number: "159/LĐLĐ"\n', '\tnumber: "159/LĐLĐ"\n') },
  ])('$name is reported against its file and nothing is loaded', ({ files }) => {
    const issues = rejected(loadCatalogue(files()));
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.file).toBe(DMC_159);
      expect(issue.message).toMatch(/^YAML không đọc được: /);
    }
  });

  // The yaml library fills `linePos` only with prettyErrors; the loader computes it from the offset.
  it('an unclosed flow map is reported with its line and column', () => {
    const set = unclosed();
    const [issue] = rejected(loadCatalogue(set));
    // The parser notices the unclosed map where the next key starts.
    expect(issue?.line).toBe(positionOf(textOf(set, DMC_159), 'rule: { kind: on_event').line + 1);
    expect(issue?.column).toBeTypeOf('number');
  });

  it('a duplicate key is reported with the line of the second key', () => {
    const set = duplicateKey();
    const [issue] = rejected(loadCatalogue(set));
    expect(issue).toMatchObject({ file: DMC_159, ...positionOf(textOf(set, DMC_159), 'number: "160/LĐLĐ"') });
  });
});

// ── problems that once hid other problems or passed unnoticed ────────────────

describe('regressions', () => {
  // A problem in the directive header (directive.*) must not stop the checks of its obligations.
  it('a header problem does not hide the problems of the obligations below it', () => {
    let set = edit(shipped, DMC_159, '  issuedOn: 2020-04-14', '  issuedOn: 14/4/2020');
    set = edit(set, DMC_159, 'date: 2020-05-21', 'date: 2020-05-32');
    set = edit(set, DMC_159, 'childrenOf: [dmc] }\n\n  - id: dmc-159-2020.year-end-staff-rating', 'childrenOf: [dmx] }\n\n  - id: dmc-159-2020.year-end-staff-rating');
    expect(rejected(loadCatalogue(set)).map((i) => i.field).sort()).toEqual(
      ['directive.issuedOn', 'obligations[0].rule.date', 'obligations[0].assignees.childrenOf[0]'].sort(),
    );
  });

  // zod 4 leaves `issue.input` out unless parsing with `reportInput: true`; without it a field
  // present with the wrong type was reported as missing and the schema's own message was lost.
  it('a field of the wrong type is not reported as missing', () => {
    const set = edit(shipped, SETTINGS, 'ladder: [30d, 7d, 3wd, 1wd, 0d]', 'ladder: 30d');
    const [issue] = rejected(loadCatalogue(set));
    expect(issue?.field).toBe('reminders.ladder');
    expect(issue?.message).not.toMatch(/thiếu trường bắt buộc/);
    expect(issue?.message).toMatch(/danh sách/);
  });

  // A directive's term (nhiệm kỳ) ending before it starts would silently make its obligations
  // never fall due.
  it("a directive term ending before it starts is rejected", () => {
    const set = edit(shipped, DMC_94, 'term: { from: 2021-03-24, until: 2025-12-31 }', 'term: { from: 2021-03-24, until: 2020-12-31 }');
    const issues = rejected(loadCatalogue(set));
    expect(issues.map((i) => i.field)).toContain('directive.term.until');
  });
});

// ── formatIssue ──────────────────────────────────────────────────────────────

describe('formatIssue', () => {
  it('prints a real issue as file:line:col: field: message', () => {
    const set = edit(shipped, TD_865, 'date: 2023-05-31', 'date: 2023-02-31');
    const [issue] = rejected(loadCatalogue(set));
    const { line, column } = positionOf(textOf(set, TD_865), 'date: 2023-02-31');
    expect(formatIssue(issue!)).toBe(`${TD_865}:${line}:${column}: obligations[0].rule.date: ${issue!.message}`);
    expect(formatIssue(issue!)).toMatch(/^catalogue\/directives\/td-865-cv-hu-2023\.yaml:\d+:\d+: obligations\[0\]\.rule\.date: /);
  });

  it('prints column 1 when only the line is known, and just the file when neither is', () => {
    expect(formatIssue({ file: 'a.yaml', line: 4, field: 'x.y', message: 'sai' })).toBe('a.yaml:4:1: x.y: sai');
    expect(formatIssue({ file: 'a.yaml', line: 4, column: 7, message: 'sai' })).toBe('a.yaml:4:7: sai');
    expect(formatIssue({ file: 'settings.yaml', message: 'thiếu tệp bắt buộc' })).toBe('settings.yaml: thiếu tệp bắt buộc');
  });
});
