/**
 * The five seed directives (DESIGN §7) as fixtures: every deadline that must be found, with
 * its rule, and the dates that must not be (issue dates, cited documents, anniversaries,
 * terms of office). Recall and precision must both be 1 on them (issue 7 §4).
 *
 * Conventions (the same as test/fixtures/extract/README.md): "thường xuyên" is a continuous
 * task when it states how often a task is done (a "Thời gian: Thường xuyên" line, or opening
 * the task), not when it describes manner mid-sentence; "hằng năm" is a cadence when it opens
 * a clause or follows the action, not when it qualifies a noun ("chương trình công tác hằng
 * năm"); the dashed items under "2.2. Chỉ tiêu phấn đấu hàng năm" are each yearly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractDirective, type ObligationDraft } from '../../../src/domain/extract/index.js';

interface Expected {
  kind: ObligationDraft['kind'];
  /** A substring of the phrase found. */
  phrase: string;
  due?: string | null;
  dueEffective?: string | null;
  bound?: 'before' | 'no_later_than' | null;
  windowStart?: string | null;
  rule?: { month?: number; day?: number } | null;
  orOnEvent?: boolean;
  /** A substring of the title. */
  title?: string;
}

interface Seed {
  file: string;
  directive: { number: string | null; issuer: string | null; issuedOn: string | null };
  found: Expected[];
  /** Exact substrings of the text that no finding's phrase may overlap. */
  notDeadlines: string[];
}

const SEEDS: Seed[] = [
  {
    file: '000_995b33e7aa72f4e5.txt',
    directive: { number: '159/LĐLĐ', issuer: 'LIÊN ĐOÀN LAO ĐỘNG HUYỆN DƯƠNG MINH CHÂU', issuedOn: '2020-04-14' },
    found: [
      { kind: 'once', phrase: 'chậm nhất ngày 21/5/2020', due: '2020-05-21', dueEffective: '2020-05-21', bound: 'no_later_than', title: 'Phân tích số lượng đoàn viên' },
      { kind: 'semiannual', phrase: 'báo cáo 6 tháng', due: null },
      { kind: 'yearly', phrase: 'ngày 30/10 hàng năm', rule: { month: 10, day: 30 }, title: 'Báo cáo chuyên đề' },
    ],
    notDeadlines: ['ngày 12/11/2019', 'ngày 14/4/2020', 'ngày 03/12/2019', 'ngày 20/8/2014', 'ngày 14 tháng 4 năm 2020', 'từ năm 2015 đến nay'],
  },
  {
    file: '001_c224a94d4f8a5795.txt',
    directive: { number: '07/NQ-TLĐ', issuer: 'Tổng Liên đoàn Lao động Việt Nam', issuedOn: '2020-01-15' },
    found: [
      // The six dashed targets under "2.2. Chỉ tiêu phấn đấu hàng năm".
      { kind: 'yearly', phrase: 'hàng năm', title: '100% công đoàn cấp trên cơ sở' },
      { kind: 'yearly', phrase: 'hàng năm', title: '100% các phong trào thi đua' },
      { kind: 'yearly', phrase: 'hàng năm', title: 'Ít nhất 15% tổng số cá nhân' },
      { kind: 'yearly', phrase: 'hàng năm', title: '100% cán bộ làm công tác thi đua' },
      { kind: 'yearly', phrase: 'Mỗi năm', title: 'Cụm, Khối thi đua có ít nhất 01 chuyên đề' },
      { kind: 'continuous', phrase: 'Thường xuyên', title: 'Rà soát, kịp thời sửa đổi' },
      { kind: 'yearly', phrase: 'Hằng năm', title: 'Tổ chức hội nghị giao ban trực tuyến toàn quốc' },
    ],
    notDeadlines: ['ngày 15 tháng 01 năm 2020', 'Ngày 3.1.2020', 'chương trình công tác hằng năm', 'giám sát hằng năm hoặc nhiệm kỳ', 'nội dung hoạt động hằng năm', 'kết quả hoạt động hàng năm'],
  },
  {
    file: '002_2904283af29c99e8.txt',
    directive: { number: '865-CV/HU', issuer: 'HUYỆN ỦY TAM ĐƯỜNG', issuedOn: '2023-03-07' },
    found: [
      { kind: 'once', phrase: 'trước ngày 31/5/2023', due: '2023-05-31', dueEffective: '2023-05-30', bound: 'before', title: 'Đại hội Công đoàn cơ sở' },
      { kind: 'once', phrase: 'trước 31/7/2023', due: '2023-07-31', dueEffective: '2023-07-30', bound: 'before', title: 'Đại hội Đại biểu Công đoàn huyện' },
      { kind: 'period', phrase: 'trong năm 2023', due: '2023-12-31', windowStart: '2023-01-01' },
    ],
    notDeadlines: ['ngày 07 tháng 3 năm 2023', 'ngày 28/9/2021', 'ngày 12/6/2021', 'ngày 22/11/2021', 'ngày 19/4/2022', 'nhiệm kỳ 2023-2028', 'ngày 12/12/2013', 'ngày 26/10/2022', 'ngày 02/2/2018', 'ngày 16/01/2023', 'công tác Dân vận năm 2023'],
  },
  {
    file: '003_bfdd288f7f0b5cf7.txt',
    directive: { number: '94/KH-LĐLĐ', issuer: 'LIÊN ĐOÀN LAO ĐỘNG HUYỆN DƯƠNG MINH CHÂU', issuedOn: '2021-03-24' },
    found: [
      { kind: 'continuous', phrase: 'Thường xuyên', title: 'Chỉ thị số 05-CT/TW' },
      { kind: 'continuous', phrase: 'Thường xuyên', title: 'Nghị quyết Trung ương 4' },
      { kind: 'yearly', phrase: 'hàng năm', title: 'đánh giá cán bộ, công chức' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'Đề án số 08-ĐA/TU' },
      { kind: 'period', phrase: 'tháng 11 năm 2022', due: '2022-11-30', windowStart: '2022-11-01' },
      { kind: 'period', phrase: 'tháng 11 năm 2025', due: '2025-11-30', windowStart: '2025-11-01' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'rà soát, cập nhật số liệu đoàn viên' },
      { kind: 'period', phrase: 'trong Quý II/2021', due: '2021-06-30', windowStart: '2021-04-01' },
      { kind: 'once', phrase: 'chậm nhất ngày 31/10/2021 hoặc khi có phát sinh', due: '2021-10-31', bound: 'no_later_than', orOnEvent: true, title: 'Kế hoạch số 200/KH-LĐLĐ' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'kế hoạch đào tạo, bồi dưỡng cán bộ công đoàn' },
      { kind: 'period', phrase: 'Quý II/2021', due: '2021-06-30', windowStart: '2021-04-01', title: 'Quy chế phối hợp' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'giới thiệu đoàn viên ưu tú' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'phòng, chống tham nhũng' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'lớp tập huấn nghiệp vụ' },
      { kind: 'yearly', phrase: 'hàng năm', title: 'công tác tham mưu' },
      { kind: 'continuous', phrase: 'Thường xuyên', title: 'Đề án “Đổi mới tổ chức' },
      { kind: 'continuous', phrase: 'Thường xuyên', title: 'cải cách thủ tục hành chính' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'Quy chế phối hợp với Ủy ban nhân dân huyện' },
      { kind: 'period', phrase: 'trong năm 2021', due: '2021-12-31', windowStart: '2021-01-01', title: 'Nghị quyết số 25-NQ/TW' },
      { kind: 'yearly', phrase: 'hàng năm', title: 'Quyết định 217-QĐ/TW' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'Kết luận số 19-KL/TU' },
      { kind: 'period', phrase: 'năm 2023', due: '2023-12-31', windowStart: '2023-01-01' },
      { kind: 'period', phrase: 'năm 2025', due: '2025-12-31', windowStart: '2025-01-01' },
      { kind: 'yearly', phrase: 'Hàng năm', title: 'quy chế dân chủ cơ sở' },
      { kind: 'yearly', phrase: 'định kỳ hàng năm', title: 'Báo cáo kết quả thực hiện' },
    ],
    notDeadlines: ['ngày 24 tháng 3 năm 2021', 'ngày 22/12/2020', 'ngày 22/3/2021', 'nhiệm kỳ 2020-2025', 'nhiệm kỳ 2021- 2026', 'ngày 15/5/2016', 'ngày 27/3/2020', 'tỉnh Tây Ninh năm 2021', 'ngày 06/4/2020', 'ngày 29/01/2021', 'ngày 09/10/2019', 'ngày 17/4/2018', 'ngày 08/6/2020', 'ngày 03/6/2013', 'ngày 07/01/2016'],
  },
  {
    file: '004_860cc40584db46df.txt',
    directive: { number: null, issuer: null, issuedOn: null },
    found: [
      { kind: 'period', phrase: 'trong năm 2020', due: '2020-12-31', windowStart: '2020-01-01', title: '14 nhiệm vụ trọng tâm' },
      { kind: 'period', phrase: 'trong năm 2020', due: '2020-12-31', title: 'chỉ tiêu, nhiệm vụ cốt lõi' },
      { kind: 'relative', phrase: 'Tết Nguyên đán Canh Tý 2020', title: 'chăm lo Tết' },
      { kind: 'period', phrase: 'Tháng công nhân năm 2020', due: '2020-05-31', windowStart: '2020-05-01' },
    ],
    notDeadlines: ['3-2-1930 - 3-2-2020', '19-5-1890 - 19-5-2020', 'nhiệm kỳ 2018 - 2023', 'lần thứ X năm 2020', 'công đoàn năm 2020'],
  },
];

const overlaps = (a: readonly [number, number], b: readonly [number, number]): boolean => a[0] < b[1] && b[0] < a[1];

function matches(e: Expected, o: ObligationDraft): boolean {
  // A task stated twice (its clause and its time line) is found once, at either statement: case aside, the same phrase.
  if (o.kind !== e.kind || !o.phrase.toLocaleLowerCase('vi').includes(e.phrase.toLocaleLowerCase('vi'))) return false;
  if (e.title !== undefined && !o.title.includes(e.title)) return false;
  for (const key of ['due', 'dueEffective', 'bound', 'windowStart', 'rule', 'orOnEvent'] as const) {
    if (e[key] !== undefined && JSON.stringify(o[key]) !== JSON.stringify(e[key])) return false;
  }
  return true;
}

describe('the seed directives (DESIGN §7)', () => {
  const totals = { expected: 0, found: 0, predicted: 0 };
  it.each(SEEDS)('$file: every deadline, nothing else', (seed) => {
    const text = readFileSync(new URL(`../../fixtures/seeds/${seed.file}`, import.meta.url), 'utf8');
    const result = extractDirective(text);
    expect(result.directive).toMatchObject(seed.directive);

    const unused = [...result.obligations];
    const missing: Expected[] = [];
    for (const e of seed.found) {
      const at = unused.findIndex((o) => matches(e, o));
      if (at < 0) missing.push(e);
      else unused.splice(at, 1);
    }
    expect(missing, 'deadlines not found').toEqual([]);
    expect(unused.map((o) => `${o.kind} «${o.phrase}» ${o.title}`), 'findings that are not deadlines').toEqual([]);

    for (const o of result.obligations) expect(text.slice(o.span[0], o.span[1])).toBe(o.phrase);
    for (const trap of seed.notDeadlines) {
      const at = text.indexOf(trap);
      expect(at, `"${trap}" is in ${seed.file}`).toBeGreaterThanOrEqual(0);
      const hit = result.obligations.find((o) => overlaps(o.span, [at, at + trap.length]));
      expect(hit?.phrase, `"${trap}" must not be a deadline`).toBeUndefined();
    }
  });

  it('recall and precision are both 1 over the five', () => {
    for (const seed of SEEDS) {
      const found = [...extractDirective(readFileSync(new URL(`../../fixtures/seeds/${seed.file}`, import.meta.url), 'utf8')).obligations];
      totals.expected += seed.found.length;
      totals.predicted += found.length;
      for (const e of seed.found) {
        const at = found.findIndex((o) => matches(e, o));
        if (at >= 0) {
          totals.found++;
          found.splice(at, 1);
        }
      }
    }
    expect({ recall: totals.found / totals.expected, precision: totals.found / totals.predicted }).toEqual({ recall: 1, precision: 1 });
  });
});
