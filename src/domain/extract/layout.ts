/**
 * The layout of a directive: paragraphs (physical lines joined where a sentence was broken
 * mid-line), their role, the items they form, and sentences. A directive's tasks are items:
 * a numbered or dashed clause, followed by its "Thời gian hoàn thành: …" line, which dates the
 * task above it rather than saying anything of its own. A short numbered heading ("2.2. Chỉ
 * tiêu phấn đấu hàng năm") governs the dashed items under it.
 */
import type { PreparedText } from './text.js';

export type ParagraphRole = 'bullet' | 'numbered' | 'time' | 'text';

export interface Paragraph {
  readonly start: number;
  readonly end: number;
  readonly role: ParagraphRole;
  /** The item this paragraph belongs to (a time line belongs to the item above it). */
  readonly item: number;
  /** The heading paragraph governing this one, if any. */
  readonly heading: number | null;
  readonly isHeading: boolean;
}

export interface Sentence {
  readonly start: number;
  readonly end: number;
  readonly paragraph: number;
}

export interface Layout {
  readonly paragraphs: readonly Paragraph[];
  readonly sentences: readonly Sentence[];
  /** Index of the first paragraph of each item. */
  readonly itemHeads: readonly number[];
}

const BULLET = /^[-+•*–—>]\s|^[a-zđ]\)\s/;
const NUMBERED = /^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[ivx]{1,5}\.)\s/;
const TIME_FIELD = /^(?:[-+•*–]\s{0,2})?(?:thoi gian|thoi han|tien do|han chot|han cuoi)\b/;
const LOWER_START = /^[a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ(]/;
/** Cap on one sentence: a pasted page with no full stops must not make later steps quadratic. */
export const MAX_SENTENCE = 1200;

interface RawParagraph {
  start: number;
  end: number;
}

function rawParagraphs(text: string): RawParagraph[] {
  const out: RawParagraph[] = [];
  let lineStart = 0;
  let current: RawParagraph | null = null;
  while (lineStart <= text.length) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    let s = lineStart;
    let e = lineEnd;
    while (s < e && (text[s] === ' ' || text[s] === '\t')) s++;
    while (e > s && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
    if (s < e) {
      const first = text.slice(s, s + 2);
      const prevEnds = current ? text[current.end - 1] ?? '' : '';
      // A line that starts in lower case, after a line that did not end a sentence, continues it.
      const continues = current !== null && LOWER_START.test(first) && !/[.;:!?]/.test(prevEnds) && !BULLET.test(text.slice(s, s + 3));
      if (continues && current) current.end = e;
      else {
        current = { start: s, end: e };
        out.push(current);
      }
    }
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  return out;
}

export function readLayout(prepared: PreparedText): Layout {
  const { text, folded } = prepared;
  const raws = rawParagraphs(text);
  const paragraphs: Paragraph[] = [];
  const itemHeads: number[] = [];
  let heading: number | null = null;
  raws.forEach((raw, index) => {
    const f = folded.slice(raw.start, Math.min(raw.end, raw.start + 120)).replace(/^[*_#\s]+/, '');
    const role: ParagraphRole = TIME_FIELD.test(f) ? 'time' : BULLET.test(f) ? 'bullet' : NUMBERED.test(f) ? 'numbered' : 'text';
    const length = raw.end - raw.start;
    const nextRaw = raws[index + 1];
    const nextIsBullet = nextRaw !== undefined && BULLET.test(folded.slice(nextRaw.start, nextRaw.start + 3));
    const isHeading = role === 'numbered' && length < 160 && !/[.;]$/.test(text.slice(raw.end - 1, raw.end)) && nextIsBullet;
    if (role === 'numbered' || isHeading) heading = isHeading ? index : null;
    if (role !== 'time' || itemHeads.length === 0) itemHeads.push(index);
    paragraphs.push({ start: raw.start, end: raw.end, role, item: itemHeads.length - 1, heading: isHeading ? null : heading, isHeading });
  });
  return { paragraphs, sentences: splitSentences(text, paragraphs), itemHeads };
}

/** Sentences end at ". " before a capital (not after a list number such as "2."), and are capped in length. */
function splitSentences(text: string, paragraphs: readonly Paragraph[]): Sentence[] {
  const out: Sentence[] = [];
  paragraphs.forEach((p, index) => {
    let start = p.start;
    for (let i = p.start; i < p.end; i++) {
      const c = text[i];
      const endsHere =
        ((c === '.' || c === '!' || c === '?') && text[i + 1] === ' ' && /\p{Lu}/u.test(text[i + 2] ?? '') && !/^[\dIVXivx.]+$/.test(text.slice(start, i))) ||
        i - start >= MAX_SENTENCE;
      if (endsHere) {
        out.push({ start, end: i + 1, paragraph: index });
        start = i + 1;
        while (start < p.end && (text[start] === ' ' || text[start] === '\t')) start++;
      }
    }
    if (start < p.end) out.push({ start, end: p.end, paragraph: index });
  });
  return out;
}
