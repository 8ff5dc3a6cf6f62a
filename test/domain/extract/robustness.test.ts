/**
 * The extractor on input the way it really arrives (issue 7 §1): NFD text, text without
 * diacritics, lines broken mid-sentence, stray spaces, random and adversarial strings. The
 * findings must not change with the encoding, spans must always point at the phrase, and
 * nothing may throw. Speed is the benchmark's business (bench/), not these tests'.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractDirective, ExtractInputError, type ObligationDraft } from '../../../src/domain/extract/index.js';

const seedDir = new URL('../../fixtures/seeds/', import.meta.url);
const seeds = readdirSync(seedDir).filter((f) => f.endsWith('.txt')).map((f) => ({ file: f, text: readFileSync(new URL(f, seedDir), 'utf8') }));

const rules = (obligations: readonly ObligationDraft[]): string[] => obligations.map((o) => `${o.kind} ${o.due} ${o.bound} ${JSON.stringify(o.rule)} ${o.orOnEvent}`);
const stripDiacritics = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

/** Spans are tight and inside the input: no empty phrase, none starting or ending in a space, none past the end. */
function spansHold(input: string, obligations: readonly ObligationDraft[]): void {
  for (const o of obligations) {
    expect(o.span[0]).toBeLessThan(o.span[1]);
    expect(o.span[1]).toBeLessThanOrEqual(input.length);
    expect(o.phrase.trim()).toBe(o.phrase);
  }
}

describe('encodings and layout', () => {
  it.each(seeds)('$file: NFD finds the same deadlines as NFC, with spans into the NFD text', ({ text }) => {
    const nfd = text.normalize('NFD');
    const a = extractDirective(text);
    const b = extractDirective(nfd);
    expect(rules(b.obligations)).toEqual(rules(a.obligations));
    expect(b.obligations.map((o) => o.title)).toEqual(a.obligations.map((o) => o.title));
    expect(b.directive).toEqual(a.directive);
    // The span covers the same words in the NFD input as in the NFC one.
    expect(b.obligations.map((o) => o.phrase.normalize('NFC'))).toEqual(a.obligations.map((o) => o.phrase));
    spansHold(nfd, b.obligations);
  });

  it.each(seeds)('$file: without diacritics the same rules are found', ({ text }) => {
    const plain = stripDiacritics(text);
    const result = extractDirective(plain);
    expect(rules(result.obligations)).toEqual(rules(extractDirective(text).obligations));
    spansHold(plain, result.obligations);
  });

  it('reads deadlines across broken lines, stray and missing spaces, and every date notation', () => {
    const cases: [string, string, string | null][] = [
      ['Báo cáo gửi về LĐLĐ huyện chậm nhất\nngày 21 / 5 / 2020.', 'once', '2020-05-21'],
      ['Các đơn vị hoàn thành trước ngày30/6/2021.', 'once', '2021-06-30'],
      ['Gửi báo cáo chậm nhất là ngày 21-5-2020.', 'once', '2020-05-21'],
      ['Gửi báo cáo chậm nhất ngày 21.5.2020.', 'once', '2020-05-21'],
      ['Nộp hồ sơ trước ngày 05 tháng 3 năm 2024.', 'once', '2024-03-05'],
      ['Nộp hồ sơ trước 14 giờ, ngày 05/12/2017.', 'once', '2017-12-05'],
      ['Hạn chót nộp hồ sơ: 16h00 ngày 10/12/2021.', 'once', '2021-12-10'],
      ['Thời gian thực hiện: quý 3/2022.', 'period', '2022-09-30'],
      ['Tổ chức sơ kết trong Quý I năm 2024.', 'period', '2024-03-31'],
      ['Báo cáo 6 tháng đầu năm 2022 gửi trong 6 tháng đầu năm 2022.', 'period', '2022-06-30'],
      ['Hoàn thành cuối tháng 1 năm 2018.', 'once', '2018-01-31'],
      ['Báo cáo định kỳ 6 tháng về LĐLĐ huyện.', 'semiannual', null],
      ['Hằng quý, công đoàn cơ sở báo cáo kết quả.', 'quarterly', null],
      ['Ban Chấp hành họp thường kỳ 1 lần/quý.', 'quarterly', null],
      ['Gửi báo cáo chậm nhất ngày 15 hằng tháng.', 'monthly', null],
      ['Tổ chức tập huấn từ ngày 01/6/2020 đến ngày 30/6/2020.', 'period', '2020-06-30'],
      ['Báo cáo đột xuất khi có yêu cầu.', 'on_event', null],
      ['Báo cáo khi xảy ra sự cố lớn về kỹ thuật.', 'on_event', null],
      ['Sau khi nhận quyết định, trong thời hạn 10 ngày làm việc phải tổ chức trao tặng.', 'on_event', null],
      ['Hồ sơ khen thưởng hằng năm gửi về chậm nhất ngày 15/3 năm sau.', 'yearly', null],
      ['Đại hội cấp huyện hoàn thành vào cuối quý IV/2023.', 'once', '2023-12-31'],
      ['Từ nay đến cuối năm 2025, các bộ hoàn thành rà soát.', 'once', '2025-12-31'],
      ['Thời gian tổ chức từ 26/11/2023 – 10/12/2023.', 'period', '2023-12-10'],
      ['Ủy ban hoàn thành việc công bố danh sách đại biểu Hội đồng nhân dânchậm nhất là ngày 4 tháng 3 năm 2021.', 'once', '2021-03-04'],
    ];
    for (const [text, kind, due] of cases) {
      const found = extractDirective(text, { issuedOn: '2017-01-01' }).obligations;
      expect(found.map((o) => [o.kind, o.due]), text).toContainEqual([kind, due]);
      spansHold(text, found);
    }
  });

  it('reads what the review found wrong: times, years, ranges across a new year, yearly "trước", two tasks on one day', () => {
    const timed = extractDirective('Nộp hồ sơ trước 14 giờ, ngày 05/12/2017.').obligations[0];
    // Met on the 5th before 14:00: the day itself still counts.
    expect([timed?.bound, timed?.due, timed?.dueEffective, timed?.time]).toEqual(['no_later_than', '2017-12-05', '2017-12-05', '14:00']);
    const yearless = extractDirective('Các đơn vị gửi báo cáo trước ngày 10/4.').obligations[0];
    expect([yearless?.kind, yearless?.due, yearless?.dueRule, yearless?.rule]).toEqual(['once', null, null, { month: 4, day: 10 }]);
    const yearly = extractDirective('Các đơn vị gửi báo cáo trước ngày 15/12 hằng năm.').obligations[0];
    expect([yearly?.kind, yearly?.rule, yearly?.bound, yearly?.dueRule]).toEqual(['yearly', { month: 12, day: 15 }, 'before', { kind: 'yearly', month: 12, day: 14 }]);
    const newYear = extractDirective('Tổ chức kiểm tra từ ngày 25/12 đến ngày 5/1/2024.', { issuedOn: '2023-12-01' }).obligations[0];
    expect([newYear?.windowStart, newYear?.due]).toEqual(['2023-12-25', '2024-01-05']);
    const months = extractDirective('Các đơn vị tổ chức đại hội từ tháng 11/2023 đến tháng 2/2024.', { issuedOn: '2023-10-01' }).obligations[0];
    expect([months?.kind, months?.windowStart, months?.due]).toEqual(['period', '2023-11-01', '2024-02-29']);
    const two = extractDirective('1. Các đơn vị gửi báo cáo sơ kết chậm nhất ngày 15/6/2024. Đồng thời gửi danh sách đề nghị khen thưởng chậm nhất ngày 15/6/2024.').obligations;
    expect(two.map((o) => o.title)).toEqual(['Các đơn vị gửi báo cáo sơ kết', 'Đồng thời gửi danh sách đề nghị khen thưởng']);
    expect(extractDirective('Gửi báo cáo chậm nhất ngày 1/1/2030 về văn phòng Liên đoàn.').obligations[0]?.title).toBe('Gửi báo cáo về văn phòng Liên đoàn');
    // "đã" typed without diacritics still tells of the past.
    expect(extractDirective('Ban Thuong vu da to chuc hoi nghi so ket vao ngay 12/9/2020.', { issuedOn: '2020-08-01' }).obligations).toEqual([]);
  });

  it('reads a two-column header pasted from a Word table (cells split by tabs or runs of spaces)', () => {
    for (const sep of ['\t', '      ']) {
      const text = `LIÊN ĐOÀN LAO ĐỘNG TỈNH TÂY NINH${sep}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nLIÊN ĐOÀN LAO ĐỘNG HUYỆN DƯƠNG MINH CHÂU${sep}Độc lập – Tự do – Hạnh phúc\nSố: 159/LĐLĐ${sep}Huyện Dương Minh Châu, ngày 14 tháng 4 năm 2020\n\nGửi báo cáo trước ngày 21/5.`;
      const r = extractDirective(text);
      expect(r.directive).toEqual({ number: '159/LĐLĐ', issuer: 'LIÊN ĐOÀN LAO ĐỘNG HUYỆN DƯƠNG MINH CHÂU', issuedOn: '2020-04-14', place: 'Huyện Dương Minh Châu' });
      expect(r.obligations.map((o) => o.due)).toEqual(['2020-05-21']);
    }
  });

  it('maps a span ending in a combining mark to the end of its cluster, and reads ordinary words as words', () => {
    const text = 'Gửi báo cáo chậm nhất ngày 10/5/2024\u0301.';
    const [o] = extractDirective(text).obligations;
    expect(o?.phrase.endsWith('2024\u0301')).toBe(true);
    expect(extractDirective('Hoàn thành trong quý constructor 2024.').obligations).toEqual([]);
    expect(extractDirective('Số: 12/constructor\nHà Nội, ngày 1 tháng 2 năm 2024').directive.issuer).toBeNull();
  });

  it('resolves a date without a year from the issue date, rolling into the next year when it has passed', () => {
    const a = extractDirective('Gửi báo cáo trước ngày 10-4.', { issuedOn: '2020-03-20' }).obligations[0];
    expect([a?.due, a?.dueEffective, a?.assumed !== undefined]).toEqual(['2020-04-10', '2020-04-09', true]);
    const b = extractDirective('Gửi báo cáo trước ngày 10-1.', { issuedOn: '2020-12-20' }).obligations[0];
    expect(b?.due).toBe('2021-01-10');
  });

  it('does not report what is not a deadline', () => {
    const traps = [
      'Thực hiện Kết luận số 19-KL/TU, ngày 12/11/2019 của Ban Thường vụ Tỉnh ủy.',
      'Kỷ niệm 90 năm Ngày thành lập Đảng Cộng sản Việt Nam (3-2-1930 - 3-2-2020).',
      'Tính đến ngày 30/6/2020, toàn tỉnh có 120.000 đoàn viên.',
      'Nghị định này có hiệu lực thi hành kể từ ngày 01/7/2021.',
      'Các đơn vị gửi báo cáo, thay cho thời hạn cũ 30/11/2016.',
      'Ngày 12/3/2020, Ban Thường vụ đã tổ chức hội nghị sơ kết.',
      'Đại hội Công đoàn tỉnh nhiệm kỳ 2023 - 2028.',
      'Đưa vào chương trình công tác hằng năm của đơn vị.',
      'Học sinh tựu trường sớm nhất vào ngày 1/8/2013.',
      'Đại hội Công đoàn tỉnh sẽ diễn ra vào tháng 10/2023.',
      'Thời gian thực hiện kể từ 00 giờ ngày 23/4/2020 cho đến khi có thông báo mới.',
      'Bình quân hằng năm số hội viên tăng 4,3%.',
      'Ngày 16/4/2020 Ủy ban nhân dân tỉnh ban hành Chỉ thị số 11/CT-UBND.',
      'Các số liệu tính từ tháng 9/2016 đến hết tháng 6/2021.',
    ];
    for (const text of traps) expect(extractDirective(text, { issuedOn: '2020-08-01' }).obligations.map((o) => o.phrase), text).toEqual([]);
  });
});

describe('bad and hostile input', () => {
  it('refuses input over the size limit with a message saying what to do', () => {
    expect(() => extractDirective('a'.repeat(101), { maxLength: 100 })).toThrow(ExtractInputError);
    expect(() => extractDirective('a'.repeat(101), { maxLength: 100 })).toThrow(/tách văn bản/);
  });

  it('never throws and keeps spans exact on random text made of directive vocabulary', () => {
    const pieces = ['ngày', ' ', '/', '-', '.', ',', ';', ':', '\n', '(', ')', 'trước', 'chậm nhất', 'hàng năm', 'hằng tháng', 'quý', 'II', 'tháng', 'năm', 'từ', 'đến', 'hết', 'thường xuyên', 'khi có phát sinh', 'hoặc', 'Thời gian hoàn thành:', '- ', '1. ', 'Tết Nguyên đán', 'dịp', 'số', 'KL/TU', '\u0301', '\u0323', 'Đ', '😀', '\u00a0', '\t', '\r\n'];
    const token = fc.oneof(fc.constantFrom(...pieces), fc.integer({ min: 0, max: 2100 }).map(String), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(token, { maxLength: 80 }), fc.option(fc.constantFrom('2020-04-14', '2023-12-31'), { nil: undefined }), (parts, issuedOn) => {
        const input = parts.join('');
        const result = extractDirective(input, issuedOn ? { issuedOn } : {});
        spansHold(input, result.obligations);
        for (const o of result.obligations) {
          expect(o.confidence).toBeGreaterThanOrEqual(0);
          expect(o.confidence).toBeLessThanOrEqual(1);
          if (o.due && o.dueEffective) expect(o.dueEffective <= o.due).toBe(true);
          if (o.windowStart && o.due) expect(o.windowStart <= o.due).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('finishes on adversarial repetitions (a backtracking pattern would not)', () => {
    const hostile = [
      'ngày 1/'.repeat(20_000),
      'từ ngày '.repeat(20_000),
      'chậm nhất là vào '.repeat(20_000),
      '1.'.repeat(50_000),
      `${'a'.repeat(200_000)}, ngày`,
      ` ${'-'.repeat(100_000)}`,
      `(${'thay '.repeat(30_000)}`,
      `${'hàng năm, '.repeat(20_000)}`,
      'Hà Nội, ngày 1 tháng 1 năm 2020\n'.repeat(5_000),
    ];
    for (const text of hostile) {
      const result = extractDirective(text);
      spansHold(text, result.obligations);
    }
    // Generous: only a catastrophic pattern would take this long (the benchmark measures the rate).
  }, 120_000);
});
