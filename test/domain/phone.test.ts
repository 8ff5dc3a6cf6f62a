import { describe, expect, it } from 'vitest';
import { normaliseVietnameseMobile } from '../../src/domain/phone.js';

/** Real-looking numbers by carrier prefix, every spelling people type. */
const VALID: [string, string][] = [
  // Viettel 086, 096–098, 032–039
  ['0961234567', '84961234567'],
  ['0971234567', '84971234567'],
  ['0981234567', '84981234567'],
  ['0861234567', '84861234567'],
  ['0321234567', '84321234567'],
  ['0331234567', '84331234567'],
  ['0341234567', '84341234567'],
  ['0351234567', '84351234567'],
  ['0361234567', '84361234567'],
  ['0371234567', '84371234567'],
  ['0381234567', '84381234567'],
  ['0391234567', '84391234567'],
  // MobiFone 090, 093, 089, 070, 076–079
  ['0901234567', '84901234567'],
  ['0931234567', '84931234567'],
  ['0891234567', '84891234567'],
  ['0701234567', '84701234567'],
  ['0761234567', '84761234567'],
  ['0771234567', '84771234567'],
  ['0781234567', '84781234567'],
  ['0791234567', '84791234567'],
  // VinaPhone 091, 094, 081–085, 088
  ['0912345678', '84912345678'],
  ['0941234567', '84941234567'],
  ['0811234567', '84811234567'],
  ['0821234567', '84821234567'],
  ['0831234567', '84831234567'],
  ['0841234567', '84841234567'],
  ['0851234567', '84851234567'],
  ['0881234567', '84881234567'],
  // Vietnamobile 092, 056, 058; Gmobile 099, 059; Reddi 055; iTel 087
  ['0921234567', '84921234567'],
  ['0561234567', '84561234567'],
  ['0581234567', '84581234567'],
  ['0991234567', '84991234567'],
  ['0591234567', '84591234567'],
  ['0551234567', '84551234567'],
  ['0871234567', '84871234567'],
  // Spellings
  ['0912 345 678', '84912345678'],
  ['0912.345.678', '84912345678'],
  ['0912-345-678', '84912345678'],
  ['(091) 234-5678', '84912345678'],
  ['  0912345678  ', '84912345678'],
  ['+84912345678', '84912345678'],
  ['+84 912 345 678', '84912345678'],
  ['+84 9 1234 5678', '84912345678'],
  ['+84 (0) 912 345 678', '84912345678'],
  ['84912345678', '84912345678'],
  ['84 912 345 678', '84912345678'],
  ['840912345678', '84912345678'],
  ['0084 912 345 678', '84912345678'],
  ['912345678', '84912345678'], // leading 0 lost in a spreadsheet
  ['841234567', '84841234567'], // 084 123 4567 without its 0
  ['０９１２３４５６７８', '84912345678'], // full-width digits
  ['0912\u00a0345\u00a0678', '84912345678'], // no-break spaces from a web form
];

/** Invalid numbers and the words the reason must contain. */
const INVALID: [string, RegExp][] = [
  ['', /trống/],
  ['   ', /trống/],
  ['028 3829 1234', /cố định/], // Hồ Chí Minh City landline
  ['024 3825 1234', /cố định/], // Hà Nội landline
  ['02838291234', /cố định/],
  ['+84 28 3829 1234', /cố định/],
  ['0236 3821 234', /cố định/], // Đà Nẵng landline
  ['0168 123 4567', /01x/], // pre-2018 11-digit mobile
  ['091234567', /quá ngắn/], // 9 digits with the 0
  ['0912 345 67', /quá ngắn/],
  ['09123', /quá ngắn/],
  ['+84 912 345', /quá ngắn/],
  ['8491234567', /quá ngắn/],
  ['09123456789', /quá dài/], // 11 digits
  ['+84 912 345 6789', /quá dài/],
  ['091234567890', /quá dài/],
  ['0912abc678', /ký tự không hợp lệ "a"/],
  ['số 0912345678', /ký tự không hợp lệ/],
  ['0912345678 ext 12', /ký tự không hợp lệ/],
  ['0912/345/678', /ký tự không hợp lệ "\/"/],
  ['091+2345678', /dấu \+/],
  ['++84912345678', /dấu \+/],
  ['+1 415 555 0100', /không phải số Việt Nam/],
  ['+65 9123 4567', /không phải số Việt Nam/],
  ['0061 2 1234 5678', /không phải số Việt Nam/],
  ['0112345678', /đầu số di động/],
  ['0412345678', /đầu số di động/],
  ['0612345678', /đầu số di động/],
  ['0012345678', /không phải số Việt Nam/],
  ['.-()', /không có chữ số/],
  ['1234567890', /bắt đầu bằng 0 hoặc \+84/],
];

describe('normaliseVietnameseMobile', () => {
  it.each(VALID)('accepts %j as %s', (input, expected) => {
    expect(normaliseVietnameseMobile(input)).toEqual({ ok: true, value: expected });
  });

  it.each(INVALID)('rejects %j with a reason matching %s', (input, reason) => {
    const result = normaliseVietnameseMobile(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('always answers 84 followed by nine digits, matching the reference regex', () => {
    for (const [input] of VALID) {
      const result = normaliseVietnameseMobile(input);
      expect(result.ok && /^84[35789]\d{8}$/.test(result.value)).toBe(true);
    }
  });

  it('is idempotent: a normalised number normalises to itself', () => {
    for (const [, value] of VALID) expect(normaliseVietnameseMobile(value)).toEqual({ ok: true, value });
  });

  it('quotes the number it refuses so an admin can find it', () => {
    const result = normaliseVietnameseMobile('028 3829 1234');
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('028 3829 1234') });
  });
});
