/**
 * Text limits for Zalo, counted the way the reference advises (§7.4): NFC first, then code
 * points. Vietnamese typed on some keyboards arrives decomposed (NFD, "e" + U+0302 + U+0301),
 * about 28% longer than the same text in NFC, so a limit checked before normalising is wrong.
 *
 * Truncation cuts only at grapheme-cluster boundaries (a base letter with its marks, an emoji
 * with its modifiers), so it never leaves a dangling accent or half an emoji, and the result
 * stays NFC. A cut text ends with "…" (U+2026, one code point) and fits the limit with it.
 */

export const ELLIPSIS = '…';
/** OA consultation text limit: "Giới hạn tối đa là 2.000 ký tự" (reference §1.3). */
export const OA_TEXT_MAX = 2000;

export function nfc(s: string): string {
  return s.normalize('NFC');
}

/** Length in Unicode code points (an emoji outside the BMP counts 1, not 2 UTF-16 units). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const segmenter = new Intl.Segmenter('vi', { granularity: 'grapheme' });

/** The longest prefix of `s` made of whole grapheme clusters with at most `budget` code points. */
function prefixWithin(s: string, budget: number): string {
  if (budget <= 0) return '';
  let used = 0;
  let end = 0;
  for (const { segment, index } of segmenter.segment(s)) {
    const len = codePointLength(segment);
    if (used + len > budget) break;
    used += len;
    end = index + segment.length;
  }
  return s.slice(0, end);
}

/**
 * A ZNS template parameter within its declared `maxLength` (code points, after NFC). Too long:
 * cut at a grapheme boundary, trailing spaces dropped, "…" appended.
 */
export function fitZnsParam(value: string, maxLength: number): string {
  const text = nfc(value);
  if (codePointLength(text) <= maxLength) return text;
  if (maxLength <= 0) return '';
  return prefixWithin(text, maxLength - 1).trimEnd() + ELLIPSIS;
}

/**
 * An OA consultation text within `max` code points (default 2,000) after NFC. Too long: keep
 * whole lines and end with a line "…"; if whole lines would keep less than half the allowance
 * (one huge paragraph), cut inside the line instead and end with "…".
 */
export function fitOaText(text: string, max: number = OA_TEXT_MAX): string {
  const t = nfc(text);
  if (codePointLength(t) <= max) return t;
  if (max <= 0) return '';

  const lineBudget = max - 2; // room for "\n…"
  const lines: string[] = [];
  let length = -1; // no line yet: the first one brings no "\n"
  for (const line of t.split('\n')) {
    const next = length + 1 + codePointLength(line);
    if (next > lineBudget) break;
    lines.push(line);
    length = next;
  }
  const kept = lines.join('\n').trimEnd();
  if (kept !== '' && codePointLength(kept) * 2 >= max) return `${kept}\n${ELLIPSIS}`;
  return prefixWithin(t, max - 1).trimEnd() + ELLIPSIS;
}
