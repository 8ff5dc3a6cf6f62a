/**
 * Vietnamese mobile numbers in the form Zalo ZNS wants: `84` followed by the nine digits after
 * the domestic leading 0 ("0912 345 678" → "84912345678"). Reference §7.3: strip separators,
 * turn a leading 0 into 84, drop "+", validate `^84[35789]\d{8}$`, and normalise before hashing.
 *
 * Accepted spellings: `0912345678`, `+84 912 345 678`, `84912345678`, `0084 912 345 678`,
 * `+84 (0) 912 345 678`, spaces, dots, dashes and parentheses anywhere, full-width digits, and
 * the nine digits alone when a spreadsheet ate the leading 0 (Zalo accepts that form too).
 * Landlines (02x), the pre-2018 11-digit 01x mobiles, foreign numbers and anything with letters
 * are refused with a reason written for the admin who typed the number.
 */
export type PhoneResult = { ok: true; value: string } | { ok: false; reason: string };

const SEPARATORS = /[\s.\-()]/g;
const ALLOWED = /^[\s.\-()+\d]*$/;
const MOBILE = /^84[35789]\d{8}$/;

export function normaliseVietnameseMobile(input: string): PhoneResult {
  const fail = (reason: string): PhoneResult => ({ ok: false, reason });
  if (typeof input !== 'string') return fail('Số điện thoại trống');
  // NFKC turns full-width digits and punctuation ("０９１２") into ASCII.
  const text = input.normalize('NFKC').trim();
  if (text === '') return fail('Số điện thoại trống');

  if (!ALLOWED.test(text)) {
    const bad = [...text].find((c) => !/[\s.\-()+\d]/.test(c)) ?? '';
    return fail(`Số điện thoại "${input.trim()}" chứa ký tự không hợp lệ "${bad}": chỉ được có chữ số, dấu cách, dấu chấm, gạch ngang, ngoặc đơn và dấu + ở đầu`);
  }
  const plus = text.indexOf('+');
  if (plus > 0 || text.lastIndexOf('+') !== plus) {
    return fail(`Số điện thoại "${input.trim()}" có dấu + sai chỗ: dấu + chỉ được đứng đầu (+84…)`);
  }

  let digits = text.replace(SEPARATORS, '').replace('+', '');
  if (digits === '') return fail(`Số điện thoại "${input.trim()}" không có chữ số nào`);

  let national: string; // the digits after the country code, without the domestic 0
  if (plus === 0 || digits.startsWith('00')) {
    if (plus !== 0) digits = digits.slice(2); // 0084… is +84…
    if (!digits.startsWith('84')) {
      return fail(`Số "${input.trim()}" không phải số Việt Nam (mã quốc gia phải là +84); Zalo ZNS chỉ gửi tới số di động Việt Nam`);
    }
    national = digits.slice(2);
    // "+84 (0) 912 345 678": the domestic 0 written after the country code.
    if (national.startsWith('0')) national = national.slice(1);
  } else if (digits.startsWith('0')) {
    national = digits.slice(1);
  } else if (digits.length === 9) {
    // The leading 0 lost in a spreadsheet ("912345678").
    national = digits;
  } else if (digits.startsWith('84')) {
    national = digits.slice(2);
    if (national.startsWith('0') && national.length === 10) national = national.slice(1);
  } else {
    return fail(`Số điện thoại "${input.trim()}" phải bắt đầu bằng 0 hoặc +84 (ví dụ 0912 345 678)`);
  }

  const shown = input.trim();
  if (national.startsWith('2')) {
    return fail(`Số "${shown}" là số cố định (đầu số 02x), không phải số di động; Zalo cần số di động`);
  }
  if (national.startsWith('1') && national.length === 10) {
    return fail(`Số "${shown}" dùng đầu số cũ 01x (11 số), đã đổi sang đầu số mới từ năm 2018 (ví dụ 0168 → 038); hãy nhập số mới`);
  }
  if (national.length < 9) {
    return fail(`Số "${shown}" quá ngắn: số di động Việt Nam có 10 chữ số (0xxx xxx xxx), số này có ${national.length + 1}`);
  }
  if (national.length > 9) {
    return fail(`Số "${shown}" quá dài: số di động Việt Nam có 10 chữ số (0xxx xxx xxx), số này có ${national.length + 1}`);
  }
  const value = `84${national}`;
  if (!MOBILE.test(value)) {
    return fail(`Số "${shown}" không có đầu số di động Việt Nam (03x, 05x, 07x, 08x, 09x)`);
  }
  return { ok: true, value };
}
