import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, fitOaText, fitZnsParam, nfc, OA_TEXT_MAX } from '../../src/domain/zalo-text.js';

const NFC_TEXT = 'Hạn chót nộp báo cáo tổng kết công đoàn: thứ Bảy, 30/10/2027';
const NFD_TEXT = NFC_TEXT.normalize('NFD');

describe('nfc and codePointLength', () => {
  it('NFD Vietnamese is longer than NFC and nfc() brings it back', () => {
    expect(NFD_TEXT).not.toBe(NFC_TEXT);
    expect(codePointLength(NFD_TEXT)).toBeGreaterThan(codePointLength(NFC_TEXT));
    expect(nfc(NFD_TEXT)).toBe(NFC_TEXT);
    expect(codePointLength(nfc(NFD_TEXT))).toBe(codePointLength(NFC_TEXT));
  });

  it('counts "ệ" as one code point in NFC and three in NFD', () => {
    expect(codePointLength('ệ')).toBe(1);
    expect(codePointLength('ệ'.normalize('NFD'))).toBe(3);
  });

  it('counts an astral emoji as one code point, not two UTF-16 units', () => {
    expect('📅'.length).toBe(2);
    expect(codePointLength('📅')).toBe(1);
    expect(codePointLength('Hạn 📅 30/10')).toBe(11);
  });
});

describe('fitZnsParam', () => {
  it('keeps a value that fits once normalised, even if its NFD form is too long', () => {
    const name = 'Nguyễn Thị Phương Thảo';
    const nfd = name.normalize('NFD');
    expect(codePointLength(nfd)).toBe(28);
    expect(codePointLength(name)).toBe(22);
    expect(fitZnsParam(nfd, 22)).toBe(name);
  });

  it('cuts by code points and ends with …', () => {
    const out = fitZnsParam('Công đoàn cơ sở Trường Tiểu học Nguyễn Văn Trỗi', 30);
    expect(codePointLength(out)).toBeLessThanOrEqual(30);
    expect(out.endsWith('…')).toBe(true);
    expect(out).toBe('Công đoàn cơ sở Trường Tiểu h…');
  });

  it('drops the space before the ellipsis', () => {
    expect(fitZnsParam('Báo cáo quý III năm 2027', 9)).toBe('Báo cáo…');
  });

  it('never splits an emoji (surrogates or ZWJ sequences)', () => {
    const out = fitZnsParam('Họp 👨‍👩‍👧 gia đình công đoàn', 6);
    expect(out).toBe('Họp…');
    expect(fitZnsParam('📅📅📅📅', 3)).toBe('📅📅…');
  });

  it('handles tiny limits', () => {
    expect(fitZnsParam('abc', 0)).toBe('');
    expect(fitZnsParam('abc', 1)).toBe('…');
    expect(fitZnsParam('abc', 3)).toBe('abc');
  });
});

describe('fitOaText', () => {
  it('leaves a 2,000-code-point NFC text alone', () => {
    const text = 'ệ'.repeat(OA_TEXT_MAX);
    expect(fitOaText(text)).toBe(text);
  });

  it('normalises first: 2,000 "ệ" typed in NFD (6,000 code points) fit', () => {
    const text = 'ệ'.normalize('NFD').repeat(OA_TEXT_MAX);
    expect(codePointLength(text)).toBe(3 * OA_TEXT_MAX);
    expect(fitOaText(text)).toBe('ệ'.repeat(OA_TEXT_MAX));
  });

  it('keeps whole lines and ends with a line "…"', () => {
    const line = 'Nộp báo cáo công tác công đoàn quý IV trước ngày 30/10/2027.'; // 60 code points
    const text = Array.from({ length: 50 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const out = fitOaText(text);
    expect(codePointLength(out)).toBeLessThanOrEqual(OA_TEXT_MAX);
    expect(out.endsWith('\n…')).toBe(true);
    const kept = out.split('\n').slice(0, -1);
    expect(kept.every((l, i) => l === `${i + 1}. ${line}`)).toBe(true);
    expect(kept.length).toBeGreaterThan(25);
  });

  it('counts the "\n…" it adds: a line that fills the limit exactly is cut, not kept', () => {
    expect(fitOaText('12345678\nabcdefgh', 10)).toBe('12345678\n…');
    expect(fitOaText('123456789\nabc', 10)).toBe('123456789…');
    expect(fitOaText('Hạn chót\nHạn chót\nHạn chót', 20)).toBe('Hạn chót\nHạn chót\n…');
  });

  it('cuts inside a single huge paragraph (emoji included) when whole lines would keep too little', () => {
    const text = `Tiêu đề\n${'📅 Hạn chót '.repeat(400)}`;
    const out = fitOaText(text, 100);
    expect(codePointLength(out)).toBeLessThanOrEqual(100);
    expect(out.startsWith('Tiêu đề\n📅 Hạn chót')).toBe(true);
    expect(out.endsWith('…')).toBe(true);
    expect(out.endsWith('\n…')).toBe(false);
  });

  it('stays within the limit and NFC for arbitrary text (property)', () => {
    const pieces = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom('Hạn chót ', 'Hạn chót '.normalize('NFD'), '\n', '📅', '👨‍👩‍👧', 'ệ\u0301', '\r\n', ' '),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 80 }).map((a) => a.join('')), fc.integer({ min: 0, max: 300 }), (text, max) => {
        for (const out of [fitOaText(text, max), fitZnsParam(text, max)]) {
          expect(codePointLength(out)).toBeLessThanOrEqual(max);
          expect(out).toBe(out.normalize('NFC'));
          if (codePointLength(nfc(text)) <= max) expect(out).toBe(nfc(text));
          else if (max > 0) expect(out.endsWith('…')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
