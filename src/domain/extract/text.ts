/**
 * The text a directive arrives as, made comparable. Directives come in NFC or NFD (Word on a
 * Mac, copied PDFs), with or without diacritics, with stray and missing spaces. Matching runs
 * on a *folded* copy (lower case, no diacritics, đ → d) that has exactly one character per
 * character of the NFC text, so a span found in the folded copy is a span of the NFC text, and
 * `toInput` maps it back to the caller's own string. Everything here is one pass: linear time.
 */

export interface PreparedText {
  /** The input in NFC, with CR and no-break spaces as plain spaces (tabs kept). */
  readonly text: string;
  /** Same length as `text`: lower case, no diacritics, đ → d. */
  readonly folded: string;
  /** For each index of `text` (and one past the end), where its cluster starts in the caller's input. */
  readonly origin: Int32Array;
  /** For each index of `text`, where its cluster ends in the caller's input ("0" + U+0301 ends after the mark). */
  readonly originEnd: Int32Array;
}

const isCombining = (code: number): boolean => code >= 0x300 && code <= 0x36f;
// Tabs stay: they separate the columns of a header pasted from a table.
const SPACE_LIKE = /^[\r\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]$/;

const foldCache = new Map<string, string>();
function foldChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x80) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c === '\r' ? ' ' : c;
  // Halves of an astral character (an emoji in a pasted page) are not letters.
  if (code >= 0xd800 && code <= 0xdfff) return ' ';
  let folded = foldCache.get(c);
  if (folded === undefined) {
    const lower = c.toLowerCase();
    const base = lower === 'đ' ? 'd' : SPACE_LIKE.test(c) ? ' ' : (lower.normalize('NFD')[0] ?? lower);
    folded = base.length === 1 ? base : ' ';
    if (foldCache.size < 4096) foldCache.set(c, folded);
  }
  return folded;
}

const HAS_COMBINING = /[\u0300-\u036f]/;
const SPACES = /[\r\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g;

export function prepareText(input: string): PreparedText {
  // Most directives arrive precomposed: then the text keeps its length and offsets are the input's.
  if (!HAS_COMBINING.test(input)) {
    const text = input.replace(SPACES, ' ');
    const folded = text.replace(/[^\x00-\x7f]|[A-Z]/g, foldChar);
    const origin = new Int32Array(text.length + 1);
    const originEnd = new Int32Array(text.length + 1);
    for (let i = 0; i <= text.length; i++) {
      origin[i] = i;
      originEnd[i] = i + 1;
    }
    return { text, folded, origin, originEnd };
  }
  const textParts: string[] = [];
  const foldedParts: string[] = [];
  // NFC may lengthen a cluster (rarely): grow as needed rather than guess a bound.
  const origin: number[] = [];
  const originEnd: number[] = [];
  let i = 0;
  while (i < input.length) {
    // A cluster: one base code point and the combining marks after it.
    const start = i;
    const cp = input.codePointAt(i) ?? 0;
    i += cp > 0xffff ? 2 : 1;
    while (i < input.length && isCombining(input.charCodeAt(i))) i++;
    const cluster = input.slice(start, i);
    // A lone code point is already NFC for every letter a directive uses; only clusters need composing.
    const nfc = cluster.length === 1 ? (SPACE_LIKE.test(cluster) ? ' ' : cluster) : cluster.normalize('NFC');
    for (let k = 0; k < nfc.length; k++) {
      const ch = nfc[k]!;
      textParts.push(ch);
      foldedParts.push(foldChar(ch));
      origin.push(start);
      originEnd.push(i);
    }
  }
  origin.push(input.length);
  originEnd.push(input.length);
  return { text: textParts.join(''), folded: foldedParts.join(''), origin: Int32Array.from(origin), originEnd: Int32Array.from(originEnd) };
}

/** The caller's span for a span of the prepared text. */
export function toInputSpan(prepared: PreparedText, start: number, end: number): [number, number] {
  const from = prepared.origin[start] ?? 0;
  return [from, end > start ? (prepared.originEnd[end - 1] ?? from) : from];
}

export type TokenKind = 'word' | 'num' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** Folded text of the token. */
  readonly t: string;
  readonly start: number;
  readonly end: number;
  /** Newlines between the previous token and this one. */
  readonly newlines: number;
}

const LETTER = /\p{L}/u;
/** Folded Vietnamese is ASCII; other scripts stay letters, while dashes and quotes (U+2013, U+201C) are punctuation. */
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c > '\u00bf' && LETTER.test(c));
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isSpace = (c: string): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\f' || c === '\v';

/** Words, numbers and single punctuation marks of the folded text. "ngày30/10" is four tokens. */
export function tokenize(folded: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let newlines = 0;
  while (i < folded.length) {
    const c = folded[i]!;
    if (isSpace(c)) {
      if (c === '\n') newlines++;
      i++;
      continue;
    }
    const start = i;
    let kind: TokenKind;
    if (isDigit(c)) {
      kind = 'num';
      while (i < folded.length && isDigit(folded[i]!)) i++;
    } else if (isLetter(c)) {
      kind = 'word';
      while (i < folded.length && isLetter(folded[i]!)) i++;
    } else {
      kind = 'punct';
      i++;
    }
    tokens.push({ kind, t: folded.slice(start, i), start, end: i, newlines });
    newlines = 0;
  }
  return tokens;
}

/** Runs of whitespace as one space, trimmed: how a sentence is shown. */
export const collapseSpaces = (s: string): string => s.replace(/\s+/g, ' ').trim();
