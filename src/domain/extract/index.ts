/**
 * Directive import: find every deadline in a Vietnamese directive's text (DESIGN §3) and
 * propose each as an obligation draft for an admin to confirm.
 *
 * The pass: prepare the text (NFC + a folded copy, text.ts), read the header (header.ts) and
 * the layout (layout.ts), find time expressions (mentions.ts), then decide here which of them
 * are deadlines: by the words that govern them ("chậm nhất", "trước", "trong", a "Thời gian
 * hoàn thành:" line), and by what rules a date out (a cited document's date, the issue date,
 * an anniversary, a statistic, an effective date, a superseded deadline, a past event).
 * Pure and linear in the input: no clock, no I/O.
 */
import { addDays, daysInMonth, isValidYmd, ymd, type IsoDate } from '../civil-date.js';
import { DEFAULT_EVENT_WORKING_DAYS, periodBounds, type Bound, type DueRule, type PeriodWindow } from '../due-rule.js';
import { readHeader, type DirectiveHeader } from './header.js';
export { titleLine } from './header.js';
import { MAX_SENTENCE, readLayout, type Layout, type Paragraph } from './layout.js';
import { scanMentions, type DateParts, type MentionAt } from './mentions.js';
import { collapseSpaces, prepareText, tokenize, toInputSpan, type PreparedText, type Token } from './text.js';
import { makeTitle } from './title.js';

export type ExtractKind = 'once' | 'yearly' | 'semiannual' | 'quarterly' | 'monthly' | 'period' | 'continuous' | 'on_event' | 'relative';

export interface ObligationDraft {
  readonly kind: ExtractKind;
  /** The date as written; a period's last day; null for recurring, continuous and event rules. */
  readonly due: IsoDate | null;
  /** The last day that still meets it: "trước ngày 31/5/2023" → 2023-05-30 (before any working-day roll). */
  readonly dueEffective: IsoDate | null;
  readonly bound: Bound | null;
  readonly windowStart: IsoDate | null;
  readonly rule: { readonly month?: number; readonly day?: number } | null;
  readonly orOnEvent: boolean;
  /** Exactly the caller's text at `span`. */
  readonly phrase: string;
  readonly span: readonly [number, number];
  readonly sentence: string;
  readonly title: string;
  readonly confidence: number;
  /** The due rule an accepted draft becomes (src/domain/due-rule.ts); null when a date lacks its year and the issue date is unknown. */
  readonly dueRule: DueRule | null;
  /** "14:00" for "trước 14 giờ, ngày 05/12/2017". */
  readonly time?: string;
  /** What was inferred rather than read ("năm lấy theo ngày ban hành 2020"). */
  readonly assumed?: string;
}

export interface ExtractResult {
  readonly directive: { readonly number: string | null; readonly issuer: string | null; readonly issuedOn: IsoDate | null; readonly place: string | null };
  readonly obligations: readonly ObligationDraft[];
}

export interface ExtractOptions {
  /** Overrides the header's date: it resolves dates written without a year. */
  readonly issuedOn?: IsoDate;
  /** Characters; larger input is refused (default 5,000,000). */
  readonly maxLength?: number;
}

export const MAX_EXTRACT_LENGTH = 5_000_000;

export class ExtractInputError extends Error {
  override readonly name = 'ExtractInputError';
  constructor(
    readonly code: 'too_large',
    message: string,
  ) {
    super(message);
  }
}

type Cue = 'no_later_than' | 'before' | 'within' | 'at' | 'until' | 'field' | null;

/** Verbs that make a clause ask for something: a bare date in such a clause is when it is due. */
const OBLIGATION_VERBS = /\b(gui|nop|bao cao|hoan thanh|to chuc|thuc hien|trien khai|xay dung|tong hop|ket thuc|dang ky|cap nhat|ra soat|kiem tra|so ket|tong ket|chuyen giao|tiep nhan|chuan bi|tham gia|de xuat|hop|dai hoi|phat dong)\b/;
/** An action right next to a month, quarter or year makes it the time to act: "tháng 11 năm 2022 tiến hành sơ kết". */
const ADJACENT_ACTION = /\b(tien hanh|to chuc|so ket|tong ket|hoan thanh|thuc hien|bao cao|ket thuc|trien khai|danh gia)\b/;
/** Nouns that an "hằng năm" after them only qualifies: "chương trình công tác hằng năm" is not a cadence. */
const QUALIFIED_NOUNS = /\b(chuong trinh|ke hoach|noi dung|ket qua|chi tieu|nhiem vu|ngan sach|du toan|quy che)\b/;
/** Words just before a date that rule it out whatever governs it: a superseded or starting date. */
const NEVER_DEADLINE = /\b(thay cho|thoi han cu|thay the|thay vi|ke tu|bat dau)\b/;
/** Anywhere earlier in the clause: statistics windows and effective dates. */
const NEVER_IN_CLAUSE = /\b(hieu luc|tinh den|tinh tu|binh quan)\b/;
/** "Đại hội … sẽ diễn ra vào tháng 10-2023": when an event takes place, told as news, owes nothing. */
const TAKES_PLACE = /\b(dien ra)\b/;
const ANNIVERSARY = /\b(ky niem|ngay sinh|thanh lap dang|nam ngay|ngay truyen thong)\b/;

export function extractDirective(input: string, options: ExtractOptions = {}): ExtractResult {
  const limit = options.maxLength ?? MAX_EXTRACT_LENGTH;
  if (input.length > limit) {
    throw new ExtractInputError('too_large', `Văn bản dài ${input.length.toLocaleString('vi-VN')} ký tự, quá giới hạn ${limit.toLocaleString('vi-VN')}: hãy tách văn bản hoặc chỉ dán phần nội dung.`);
  }
  const prepared = prepareText(input);
  const header = readHeader(prepared);
  const issuedOn = options.issuedOn ?? header.issuedOn;
  const layout = readLayout(prepared);
  const tokens = tokenize(prepared.folded);
  const mentions = scanMentions(tokens);
  const drafts = new Finder(input, prepared, header, issuedOn, layout, tokens).run(mentions);
  return {
    directive: { number: header.number, issuer: header.issuer, issuedOn, place: header.place },
    obligations: drafts,
  };
}

interface Candidate extends Omit<ObligationDraft, 'title' | 'sentence' | 'phrase' | 'span'> {
  readonly from: number;
  readonly to: number;
  /** Token of the deadline inside the item that owns it (a heading's cadence lends its span, not its item). */
  readonly at: number;
  readonly ownerParagraph?: number;
}

class Finder {
  /** Sentence index of each token. */
  private readonly sentenceOf: Int32Array;
  private readonly issuedYear: number | null;
  private readonly plain: boolean;

  constructor(
    private readonly input: string,
    private readonly prepared: PreparedText,
    private readonly header: DirectiveHeader,
    private readonly issuedOn: IsoDate | null,
    private readonly layout: Layout,
    private readonly T: readonly Token[],
  ) {
    this.sentenceOf = new Int32Array(T.length);
    let s = 0;
    const sentences = layout.sentences;
    T.forEach((t, i) => {
      while (s < sentences.length - 1 && t.start >= sentences[s]!.end) s++;
      this.sentenceOf[i] = s;
    });
    this.issuedYear = issuedOn ? Number(issuedOn.slice(0, 4)) : null;
    // Text typed without diacritics: "đã" can only be told by its folded form ("da").
    this.plain = !/[\u00c0-\u1ef9]/.test(prepared.text.slice(0, 20_000));
  }

  run(mentions: readonly MentionAt[]): ObligationDraft[] {
    const candidates: Candidate[] = [];
    const consumed = new Set<number>();
    mentions.forEach((m, index) => {
      if (consumed.has(index)) return;
      const c = this.decide(m, mentions[index + 1], () => consumed.add(index + 1));
      if (c) candidates.push(c);
    });
    candidates.push(...this.fromHeadings(mentions, candidates));
    return this.dedupe(candidates).map((c) => this.finish(c));
  }

  // ---- context -------------------------------------------------------------------------

  private paragraphOfToken(i: number): Paragraph {
    const sentence = this.layout.sentences[this.sentenceOf[i] ?? 0];
    return this.layout.paragraphs[sentence?.paragraph ?? 0]!;
  }

  /** First token of the clause holding token i: back to ";", ":" or the sentence start, at most 40 tokens. */
  private clauseStart(i: number): number {
    const s = this.sentenceOf[i];
    let j = i;
    while (j > 0 && i - j < 40 && this.sentenceOf[j - 1] === s) {
      const t = this.T[j - 1]!;
      if (t.kind === 'punct' && (t.t === ';' || t.t === ':')) break;
      j--;
    }
    return j;
  }

  private clauseEnd(i: number): number {
    const s = this.sentenceOf[i];
    let j = i;
    while (j < this.T.length && j - i < 40 && this.sentenceOf[j] === s) {
      const t = this.T[j]!;
      if (t.kind === 'punct' && (t.t === ';' || t.t === ':')) break;
      j++;
    }
    return j;
  }

  private wordsBetween(from: number, to: number): string {
    let s = '';
    for (let k = Math.max(0, from); k < Math.min(to, this.T.length); k++) s += ` ${this.T[k]!.t}`;
    return `${s} `;
  }

  /** The words that govern a time expression, read backwards from it, and where they start (the phrase includes them). */
  private cueBefore(m: MentionAt): { cue: Cue; start: number } {
    const floor = this.clauseStart(m.from);
    const w = (k: number): string => (k >= floor ? this.T[k]!.t : '');
    // A missing space glues the cue to the word before it ("nhân dânchậm nhất"): the token ends with it.
    const glued = (k: number, cue: string): boolean => w(k) === cue || (w(k).length > cue.length + 1 && w(k).endsWith(cue));
    let k = m.from - 1;
    // Glue between the cue and the date: "chậm nhất là vào ngày", "chậm nhất đến 17h ngày", "hạn chót: ngày".
    while (k >= floor && m.from - k <= 3 && (w(k) === 'la' || w(k) === ':' || ((w(k) === 'vao' || w(k) === 'den' || w(k) === 'het') && ['nhat', 'la', 'chot', 'den'].includes(w(k - 1))))) k--;
    if (w(k) === 'nhat' && (glued(k - 1, 'cham') || w(k - 1) === 'muon' || w(k - 1) === 'tre')) return { cue: 'no_later_than', start: k - 1 };
    if (w(k) === 'nhat' && w(k - 1) === 'som') return { cue: null, start: m.from };
    if ((w(k) === 'chot' || w(k) === 'cuoi') && w(k - 1) === 'han') return { cue: 'no_later_than', start: k - 1 };
    if (w(k) === 'han' && w(k - 1) === 'thoi') return { cue: 'no_later_than', start: k - 1 };
    if (glued(k, 'truoc')) {
      const start = w(k - 1) === 'thanh' && w(k - 2) === 'hoan' ? k - 2 : w(k - 1) === 'xong' ? k - 1 : k;
      return { cue: 'before', start };
    }
    k = m.from - 1;
    // "từ nay đến (hết) ngày 23-3", "đến hết ngày 15-12": the last day allowed.
    if (w(k) === 'het' && w(k - 1) === 'den') return { cue: 'no_later_than', start: w(k - 2) === 'nay' && w(k - 3) === 'tu' ? k - 3 : k - 1 };
    if (w(k) === 'den' && w(k - 1) === 'nay' && w(k - 2) === 'tu') return { cue: 'no_later_than', start: k - 2 };
    if (w(k) === 'gian' && w(k - 1) === 'thoi' && w(k - 2) === 'trong') return { cue: 'within', start: k - 2 };
    if (w(k) === 'trong') return { cue: 'within', start: k };
    if (w(k) === 'vao') return { cue: 'at', start: k };
    if (w(k) === 'den' && w(k - 1) !== 'tinh') return { cue: 'until', start: k };
    // "Hạn cuối nhận hồ sơ …: 16 giờ 00 ngày 10/12/2021", "…, thời gian thực hiện: Quý I năm 2024": a label before a colon.
    if (this.T[m.from - 1]?.t === ':') {
      const label = this.wordsBetween(Math.max(0, m.from - 14), m.from - 1);
      const sentence = this.sentenceOf[m.from];
      const labelInSentence = this.sentenceOf[Math.max(0, m.from - 14)] === sentence || / (thoi gian|thoi han|han chot|han cuoi) /.test(this.wordsBetween(this.layout.sentences[sentence ?? 0] ? this.firstTokenOfSentence(m.from) : m.from, m.from - 1));
      if (labelInSentence && / (han chot|han cuoi|thoi han|han nop) /.test(label)) return { cue: 'no_later_than', start: m.from };
      if (labelInSentence && / thoi gian /.test(label)) return { cue: 'field', start: m.from };
    }
    if (this.paragraphOfToken(m.from).role === 'time') return { cue: 'field', start: m.from };
    return { cue: null, start: m.from };
  }

  private firstTokenOfSentence(i: number): number {
    const s = this.sentenceOf[i];
    let j = i;
    while (j > 0 && i - j < 40 && this.sentenceOf[j - 1] === s) j--;
    return j;
  }

  /** A document symbol (19-KL/TU, 97/KH-LĐLĐ, 145/2020/NĐ-CP) ending right before token i, across "," and "ngày". */
  private citedBefore(i: number): boolean {
    let j = i - 1;
    let skipped = 0;
    while (j >= 0 && skipped < 2 && (this.T[j]!.t === ',' || this.T[j]!.t === 'ngay')) {
      j--;
      skipped++;
    }
    let seps = 0;
    let sawWord = false;
    for (let k = 0; k < 10 && j >= 0; k++) {
      const t = this.T[j]!;
      if (t.kind === 'word' || t.kind === 'num') {
        if (t.kind === 'word') sawWord = true;
        const before = this.T[j - 1];
        if (before?.kind === 'punct' && '/-–'.includes(before.t)) {
          seps++;
          j -= 2;
          continue;
        }
        return seps > 0 && sawWord && t.kind === 'num';
      }
      return false;
    }
    return false;
  }

  private negative(m: MentionAt, cue: Cue): string | null {
    const start = this.clauseStart(m.from);
    const near = this.wordsBetween(Math.max(start, m.from - 7), m.from);
    if (NEVER_DEADLINE.test(near) || / som nhat (la )?(vao )?(ngay )?$/.test(near) || NEVER_IN_CLAUSE.test(this.wordsBetween(start, m.from + 1))) return 'context';
    if (this.insideAmendment(m.from)) return 'superseded';
    const dateSpan = this.header.dateSpan;
    if (dateSpan && this.T[m.from]!.start >= dateSpan[0] && this.T[m.from]!.start < dateSpan[1]) return 'issue date';
    const strong = cue === 'no_later_than' || cue === 'before' || cue === 'field';
    if (strong) return null;
    const before = this.wordsBetween(start, m.from);
    if (this.citedBefore(m.from) || this.T[m.to]?.t === 'cua' || / (ban hanh|thong qua|ky|phe duyet) (ngay )?$/.test(this.wordsBetween(m.from - 3, m.from))) return 'cited';
    if (ANNIVERSARY.test(before)) return 'anniversary';
    // "từ đầu năm học đến ngày 15/10": the end of a reporting window, not a deadline.
    if (cue === 'until' && / tu /.test(this.wordsBetween(Math.max(start, m.from - 8), m.from))) return 'statistics';
    if (this.narrative(m)) return 'narrative';
    if (TAKES_PLACE.test(this.wordsBetween(Math.max(start, m.from - 10), m.from))) return 'event news';
    const clause = this.prepared.text.slice(this.T[start]!.start, this.T[Math.max(start, this.clauseEnd(m.from) - 1)]!.end).toLocaleLowerCase('vi');
    const past = this.plain ? / da /.test(this.wordsBetween(start, this.clauseEnd(m.from))) : /(^|[^\p{L}])đã([^\p{L}]|$)/u.test(clause);
    if (past && cue !== 'within') return 'past';
    return null;
  }

  /** "(thay cho thời hạn cũ …)", "(ở lần điều chỉnh trước đây là trước ngày 15/7)": a deadline that no longer holds. */
  private insideAmendment(i: number): boolean {
    for (let j = i - 1; j >= 0 && i - j <= 12; j--) {
      const t = this.T[j]!.t;
      if (t === ')') return false;
      if (t === '(') return / (thay|truoc day|cu|dieu chinh|thay vi) /.test(this.wordsBetween(j + 1, i));
    }
    return false;
  }

  /** "Ngày 14/10, Bộ GD&ĐT có văn bản …", "Sáng ngày 08/7, tại …", "Vào 15 giờ ngày 16/3/2021, …": news telling what happened or will happen. */
  private narrative(m: MentionAt): boolean {
    const start = this.firstTokenOfSentence(m.from);
    return this.T[m.to]?.t !== ':' && m.from - start <= 3 && !OBLIGATION_VERBS.test(this.wordsBetween(start, m.from));
  }

  // ---- decisions -------------------------------------------------------------------------

  private decide(m: MentionAt, next: MentionAt | undefined, consumeNext: () => void): Candidate | null {
    const { cue, start } = this.cueBefore(m);
    const para = this.paragraphOfToken(m.from);
    if (para.isHeading && (m.type === 'cadence' || m.type === 'yearly_date')) return null;
    const dated = m.type === 'date' || m.type === 'range' || m.type === 'month_range' || m.type === 'month' || m.type === 'quarter' || m.type === 'half' || m.type === 'year';
    const base = { from: dated ? start : m.from, to: m.to, at: m.from, orOnEvent: false } as const;
    switch (m.type) {
      case 'ignored':
        return null;
      case 'date': {
        if (this.negative(m, cue)) return null;
        const strong = cue === 'no_later_than' || cue === 'before' || cue === 'field';
        const clause = this.wordsBetween(this.clauseStart(m.from), this.clauseEnd(m.from));
        if (!strong && !OBLIGATION_VERBS.test(clause)) return null;
        const resolved = this.resolveYear(m.date);
        if (resolved.date && this.issuedOn && resolved.date < this.issuedOn && !strong) return null;
        // "trước 14 giờ, ngày 05/12/2017" is met on the 5th before 14:00: the day itself still counts.
        const bound: Bound = cue === 'before' && !m.time ? 'before' : 'no_later_than';
        const event = this.orOnEvent(m, next);
        if (event) consumeNext();
        const confidence = (strong ? 0.95 : cue === 'at' || cue === 'until' ? 0.75 : 0.6) - (resolved.assumed ? 0.1 : 0) - (resolved.date && this.issuedOn && resolved.date < this.issuedOn ? 0.5 : 0);
        const due = resolved.date;
        // Without a year and an issue date there is no date to plan: the admin must give one.
        const rule: DueRule | null = due ? { kind: 'once', date: due, bound, ...(event ? { orOnEvent: { workingDays: DEFAULT_EVENT_WORKING_DAYS } } : {}) } : null;
        return {
          ...base,
          to: event ? event.to : m.to,
          kind: 'once',
          due,
          dueEffective: due ? (bound === 'before' ? addDays(due, -1) : due) : null,
          bound,
          windowStart: null,
          rule: due ? null : { month: m.date.month, day: m.date.day },
          orOnEvent: event !== null,
          confidence: round(confidence),
          dueRule: rule,
          ...(m.time ? { time: m.time } : {}),
          ...(resolved.assumed ? { assumed: resolved.assumed } : {}),
        };
      }
      case 'yearly_date': {
        if (this.negative(m, 'field')) return null;
        // "trước ngày 15/12 hằng năm": the 14th is the last day that meets it, every year (a non-leap year's reckoning for 1/3).
        const last = cue === 'before' ? addDays(ymd(2023, m.month, Math.min(m.day, daysInMonth(2023, m.month))), -1) : null;
        const dueRule: DueRule = last ? { kind: 'yearly', month: Number(last.slice(5, 7)), day: Number(last.slice(8, 10)) } : { kind: 'yearly', month: m.month, day: m.day };
        return { ...this.undated(base, 'yearly', { month: m.month, day: m.day }, dueRule, 0.95), bound: cue === 'before' ? 'before' : null };
      }
      case 'monthly_day':
        return this.undated(base, 'monthly', { day: m.day }, { kind: 'monthly', day: m.day }, 0.95);
      case 'cadence': {
        if (!this.isCadence(m, cue)) return null;
        if (!m.lead && cue !== 'field' && this.negative(m, null) === 'past') return null;
        const confidence = m.lead || cue === 'field' ? 0.85 : 0.7;
        switch (m.cadence) {
          case 'yearly':
            return this.undated(base, 'yearly', null, { kind: 'yearly' }, confidence);
          case 'semiannual':
            return this.undated(base, 'semiannual', null, { kind: 'semiannual' }, confidence);
          case 'quarterly':
            return this.undated(base, 'quarterly', null, { kind: 'quarterly' }, confidence);
          case 'monthly':
            return this.undated(base, 'monthly', null, { kind: 'monthly', day: 'last' }, confidence);
        }
        return null;
      }
      case 'continuous': {
        // "Thường xuyên hàng năm" is a yearly task: the cadence says more.
        if (next?.type === 'cadence' && next.from === m.to) return null;
        const before = this.wordsBetween(m.from - 2, m.from);
        const ownClause = this.clauseStart(m.from) === m.from;
        // "Thời gian thực hiện: Thường xuyên", "- Thường xuyên bổ sung hồ sơ …", "phải thông báo thường xuyên": how often the task is done.
        // Mid-sentence after a comma ("chủ động, thường xuyên tham mưu") it only describes the manner.
        const opens = ownClause || this.T[m.from]!.newlines > 0 || this.firstTokenOfSentence(m.from) === m.from || /^ [-+•*]? ?$/.test(this.wordsBetween(this.firstTokenOfSentence(m.from), m.from).replace(/ \d+ (\. \d+ )*\.? /, ' '));
        if (!(cue === 'field' || opens || / (thuc hien|tien hanh|trien khai|duy tri) $/.test(before) || / phai \S+( \S+)? $/.test(before))) return null;
        if (this.negative(m, null) === 'past') return null;
        return this.undated(base, 'continuous', null, { kind: 'continuous' }, cue === 'field' ? 0.9 : opens ? 0.75 : 0.65);
      }
      case 'event': {
        // "khi có phát sinh", "khi có yêu cầu" always ask for something, unless told of the past.
        if (this.negative(m, null) === 'past') return null;
        return this.undated(base, 'on_event', null, { kind: 'on_event', workingDays: DEFAULT_EVENT_WORKING_DAYS }, cue === 'field' ? 0.85 : 0.65);
      }
      case 'range': {
        if (this.negative(m, cue)) return null;
        const last = this.resolveYear(m.last);
        // "từ ngày 25/12 đến ngày 5/1/2024": a start without a year is the last one before the end.
        let first = this.resolveYear(m.first, last.date ? Number(last.date.slice(0, 4)) : m.last.year);
        if (m.first.year === null && first.date && last.date && first.date > last.date) first = this.resolveYear(m.first, Number(last.date.slice(0, 4)) - 1);
        if (!first.date || !last.date || last.date < first.date) return null;
        if (this.issuedOn && last.date < this.issuedOn) return null;
        // "từ ngày … đến ngày …" is a time to do something unless the clause tells of the past (checked above).
        return this.period(base, { unit: 'range', start: first.date, end: last.date }, cue === 'field' ? 0.9 : 0.75, first.assumed ?? last.assumed);
      }
      case 'named': {
        const before = this.wordsBetween(m.from - 3, m.from);
        const early = /(truoc|cham lo|chuan bi) $/.test(before);
        const byDate = this.T[m.from]!.t === 'dip';
        // "về việc tổ chức Tết Nguyên đán …" names a cited document's subject.
        if (/ ve viec /.test(this.wordsBetween(this.clauseStart(m.from), m.from))) return null;
        if (!early && !byDate && !/ dip $/.test(before) && cue !== 'field') return null;
        const year = m.anchor === 'tet_nguyen_dan' ? (m.year ?? null) : null;
        const offsetDays = early ? -1 : 0;
        return { ...this.undated(base, 'relative', null, { kind: 'relative', anchor: m.anchor, offsetDays, ...(year !== null ? { year } : {}) }, 0.7), bound: early ? 'before' : null };
      }
      case 'worker_month': {
        // Tháng Công nhân is May of each year (Tổng LĐLĐ, since 2010).
        if (!/(to chuc|trien khai|huong ung|thuc hien|phat dong) $/.test(this.wordsBetween(m.from - 3, m.from)) && cue !== 'field') return null;
        if (m.year === null) return null;
        return this.period(base, { unit: 'month', year: m.year, month: 5 }, 0.7);
      }
      case 'month_range': {
        if (this.negative(m, cue)) return null;
        let year = m.year ?? this.issuedYear;
        if (year === null) return null;
        // A window that closed before the directive: statistics, or (without a year) next year's.
        if (this.issuedOn && ymd(year, m.last, daysInMonth(year, m.last)) < addDays(this.issuedOn, -31)) {
          if (m.year !== null) return null;
          year += 1;
        }
        const range = { unit: 'range', start: ymd(m.firstYear ?? year, m.first, 1), end: ymd(year, m.last, daysInMonth(year, m.last)) } as const;
        return this.period(base, range, cue === 'field' ? 0.85 : 0.75, m.year === null ? `năm lấy theo ngày ban hành (${year})` : undefined);
      }
      case 'after_event': {
        if (cue !== 'no_later_than' && this.negative(m, null) === 'past') return null;
        return this.undated(base, 'on_event', null, { kind: 'on_event', workingDays: m.days }, 0.7, m.working ? undefined : `${m.days} ngày (theo lịch) được tính là ${m.days} ngày làm việc`);
      }
      case 'month':
      case 'quarter':
      case 'half':
      case 'year':
        return this.decidePeriod(m, cue, base);
    }
  }

  private decidePeriod(m: MentionAt & { type: 'month' | 'quarter' | 'half' | 'year' }, cue: Cue, base: Pick<Candidate, 'from' | 'to' | 'at' | 'orOnEvent'>): Candidate | null {
    if (this.negative(m, cue)) return null;
    const around = this.wordsBetween(Math.max(this.clauseStart(m.from), m.from - 3), m.from) + this.wordsBetween(m.to, Math.min(this.clauseEnd(m.from), m.to + 3));
    const governed = cue === 'within' || cue === 'field' || cue === 'at' || cue === 'no_later_than' || cue === 'before' || ADJACENT_ACTION.test(around);
    if (!governed) return null;
    let assumed: string | undefined;
    // A month or quarter without its year is the next one after the directive (a month's grace, as for dates).
    const yearOf = (y: number | null, lastMonth = 12): number | null => {
      if (y !== null) return y;
      if (this.issuedYear === null || !this.issuedOn) return null;
      const year = ymd(this.issuedYear, lastMonth, daysInMonth(this.issuedYear, lastMonth)) < addDays(this.issuedOn, -31) ? this.issuedYear + 1 : this.issuedYear;
      assumed = `năm lấy theo ngày ban hành (${year})`;
      return year;
    };
    let window: PeriodWindow;
    switch (m.type) {
      case 'month': {
        const year = yearOf(m.year, m.month);
        if (year === null) return null;
        window = { unit: 'month', year, month: m.month };
        break;
      }
      case 'quarter': {
        const year = yearOf(m.year, m.quarter * 3);
        if (year === null) return null;
        window = { unit: 'quarter', year, quarter: m.quarter };
        break;
      }
      case 'half': {
        const year = yearOf(m.year, m.half * 6);
        if (year === null) return null;
        window = { unit: 'half', year, half: m.half };
        break;
      }
      case 'year':
        window = { unit: 'year', year: m.year };
        break;
    }
    const bounds = periodBounds(window);
    // A period that ended before the directive was issued is a statistic, not a deadline.
    if (this.issuedOn && bounds.end < this.issuedOn) return null;
    const confidence = (cue === 'field' || cue === 'within' ? 0.9 : 0.75) - (assumed ? 0.1 : 0);
    // "cuối tháng 1 năm 2018": by the month's last day; "trước tháng 6/2021": before the month starts.
    if ((m.type === 'month' || m.type === 'quarter' || m.type === 'year') && m.edge === 'end') return this.once(base, bounds.end, 'no_later_than', confidence, assumed);
    if (cue === 'before') return this.once(base, bounds.start, 'before', confidence, assumed);
    if (cue === 'no_later_than' && m.type === 'month') return this.once(base, bounds.end, 'no_later_than', confidence, assumed);
    return this.period(base, window, confidence, assumed);
  }

  private once(base: Pick<Candidate, 'from' | 'to' | 'at' | 'orOnEvent'>, due: IsoDate, bound: Bound, confidence: number, assumed?: string): Candidate {
    return {
      ...base,
      kind: 'once',
      due,
      dueEffective: bound === 'before' ? addDays(due, -1) : due,
      bound,
      windowStart: null,
      rule: null,
      confidence: round(confidence),
      dueRule: { kind: 'once', date: due, bound },
      ...(assumed ? { assumed } : {}),
    };
  }

  private period(base: Pick<Candidate, 'from' | 'to' | 'at' | 'orOnEvent'>, window: PeriodWindow, confidence: number, assumed?: string): Candidate {
    const bounds = periodBounds(window);
    return {
      ...base,
      kind: 'period',
      due: bounds.end,
      dueEffective: bounds.end,
      bound: null,
      windowStart: bounds.start,
      rule: null,
      confidence: round(confidence),
      dueRule: { kind: 'period', window },
      ...(assumed ? { assumed } : {}),
    };
  }

  /** A deadline with no single date: recurring, continuous, on an event, or relative to a named day. */
  private undated(
    base: Pick<Candidate, 'from' | 'to' | 'at' | 'orOnEvent'>,
    kind: Exclude<ExtractKind, 'once' | 'period'>,
    rule: { month?: number; day?: number } | null,
    dueRule: DueRule,
    confidence: number,
    assumed?: string,
  ): Candidate {
    return { ...base, kind, due: null, dueEffective: null, bound: null, windowStart: null, rule, confidence: round(confidence), dueRule, ...(assumed ? { assumed } : {}) };
  }

  /** "hằng năm" states a cadence when it opens its clause, sits in a time line, or follows a verb; not after "chương trình công tác". */
  private isCadence(m: MentionAt & { type: 'cadence' }, cue: Cue): boolean {
    if (m.lead || cue === 'field' || m.cadence === 'semiannual') return true;
    const before = this.wordsBetween(Math.max(this.clauseStart(m.from), m.from - 6), m.from);
    if (QUALIFIED_NOUNS.test(before) || / binh quan $/.test(before)) return false;
    // "về việc sửa đổi quy định đánh giá hàng quý …": the subject of a cited or issued document.
    if (/ ve viec /.test(this.wordsBetween(this.firstTokenOfSentence(m.from), m.from))) return false;
    if (/^ hoac nhiem ky/.test(this.wordsBetween(m.to, m.to + 3))) return false;
    return true;
  }

  /** "chậm nhất ngày 31/10/2021 hoặc khi có phát sinh": the event clause joins the date. */
  private orOnEvent(m: MentionAt, next: MentionAt | undefined): MentionAt | null {
    if (next?.type !== 'event') return null;
    const between = this.wordsBetween(m.to, next.from).trim();
    return between === 'hoac' || between === ', hoac' ? next : null;
  }

  private resolveYear(d: DateParts, fallbackYear?: number | null): { date: IsoDate | null; assumed?: string } {
    if (d.year !== null) return { date: ymd(d.year, d.month, d.day) };
    if (fallbackYear !== undefined && fallbackYear !== null && isValidYmd(fallbackYear, d.month, d.day)) return { date: ymd(fallbackYear, d.month, d.day) };
    if (!this.issuedOn || this.issuedYear === null) return { date: null, assumed: 'không có năm và không rõ ngày ban hành' };
    // A date without a year is the next one after the directive was issued (a month's grace for late issue).
    let year = this.issuedYear;
    if (!isValidYmd(year, d.month, d.day) || ymd(year, d.month, Math.min(d.day, daysInMonth(year, d.month))) < addDays(this.issuedOn, -31)) year += 1;
    if (!isValidYmd(year, d.month, d.day)) return { date: null, assumed: 'ngày không tồn tại trong năm suy ra' };
    return { date: ymd(year, d.month, d.day), assumed: `năm lấy theo ngày ban hành (${year})` };
  }

  // ---- headings, duplicates and output ---------------------------------------------------

  /** The dashed items under "2.2. Chỉ tiêu phấn đấu hàng năm" are each yearly, unless they say otherwise. */
  private fromHeadings(mentions: readonly MentionAt[], found: readonly Candidate[]): Candidate[] {
    const out: Candidate[] = [];
    const itemsWithFindings = new Set(found.map((c) => this.paragraphOfToken(c.at).item));
    const cadenceOfHeading = new Map<number, MentionAt>();
    for (const m of mentions) {
      if (m.type !== 'cadence') continue;
      const sentence = this.layout.sentences[this.sentenceOf[m.from] ?? 0];
      const para = sentence ? this.layout.paragraphs[sentence.paragraph] : undefined;
      if (sentence && para?.isHeading) {
        const index = sentence.paragraph;
        if (!cadenceOfHeading.has(index)) cadenceOfHeading.set(index, m);
      }
    }
    if (cadenceOfHeading.size === 0) return out;
    this.layout.itemHeads.forEach((head, item) => {
      const p = this.layout.paragraphs[head]!;
      if (p.role !== 'bullet' || p.heading === null || itemsWithFindings.has(item)) return;
      const m = cadenceOfHeading.get(p.heading);
      if (!m || m.type !== 'cadence') return;
      const kind = m.cadence;
      const dueRule: DueRule = kind === 'monthly' ? { kind, day: 'last' } : { kind };
      out.push({ ...this.undated({ from: m.from, to: m.to, at: m.from, orOnEvent: false }, kind, null, dueRule, 0.6), ownerParagraph: head });
    });
    return out;
  }

  private itemOf(c: Candidate): number {
    return c.ownerParagraph !== undefined ? this.layout.paragraphs[c.ownerParagraph]!.item : this.paragraphOfToken(c.at).item;
  }

  /** One task stated twice ("- Hàng năm, xây dựng …" and its "Thời gian: thực hiện hàng năm") is one obligation. */
  private dedupe(candidates: readonly Candidate[]): Candidate[] {
    // A time line ("Thời gian hoàn thành: Hàng năm") or a heading dates the task of its item: one
    // finding per rule and item, and it replaces the same rule stated in the item's own text.
    // Elsewhere each clause is its own task, even with the same date as its neighbour.
    const itemKey = (c: Candidate) => `${this.itemOf(c)}|${c.kind}|${c.due}|${c.windowStart}|${JSON.stringify(c.rule)}`;
    const itemLevel = (c: Candidate) => c.ownerParagraph !== undefined || this.paragraphOfToken(c.at).role === 'time';
    const best = new Map<string, Candidate>();
    for (const c of candidates) {
      const key = itemLevel(c) ? itemKey(c) : `${itemKey(c)}|${this.clauseStart(c.at)}`;
      const kept = best.get(key);
      if (!kept || c.confidence > kept.confidence) best.set(key, c);
    }
    const stated = new Set([...best.values()].filter(itemLevel).map(itemKey));
    const kept = [...best.values()].filter((c) => itemLevel(c) || !stated.has(itemKey(c)));
    // "Hồ sơ khen thưởng hằng năm gửi … chậm nhất ngày 15/3 năm sau": one yearly deadline, the dated one.
    const datedYearly = new Set(kept.filter((c) => c.kind === 'yearly' && c.rule).map((c) => this.sentenceOf[c.at]));
    return kept.filter((c) => !(c.kind === 'yearly' && !c.rule && datedYearly.has(this.sentenceOf[c.at]))).sort((a, b) => this.sortKey(a) - this.sortKey(b));
  }

  private sortKey(c: Candidate): number {
    return c.ownerParagraph !== undefined ? this.layout.paragraphs[c.ownerParagraph]!.start : this.T[c.from]!.start;
  }

  private finish(c: Candidate): ObligationDraft {
    const { text } = this.prepared;
    const startOffset = this.T[c.from]!.start;
    const endOffset = this.T[c.to - 1]!.end;
    const span = toInputSpan(this.prepared, startOffset, endOffset);
    const phraseText = text.slice(startOffset, endOffset);
    let sentenceText: string;
    let title: string;
    if (c.ownerParagraph !== undefined) {
      const p = this.layout.paragraphs[c.ownerParagraph]!;
      sentenceText = this.firstSentence(p);
      title = makeTitle(firstClause(sentenceText), '');
    } else {
      const sentence = this.layout.sentences[this.sentenceOf[c.from] ?? 0]!;
      const s = clampSentence(sentence.start, sentence.end, startOffset, endOffset);
      sentenceText = text.slice(s.start, s.end);
      const para = this.layout.paragraphs[sentence.paragraph]!;
      title = para.role === 'time' ? this.itemTitle(para) : this.clauseTitle(sentenceText, startOffset - s.start, phraseText, para, c.kind === 'relative', c.kind === 'once' || c.kind === 'period');
    }
    const { from: _f, to: _t, at: _a, ownerParagraph: _op, ...rest } = c;
    return {
      kind: rest.kind,
      due: rest.due,
      dueEffective: rest.dueEffective,
      bound: rest.bound,
      windowStart: rest.windowStart,
      rule: rest.rule,
      orOnEvent: rest.orOnEvent,
      phrase: this.input.slice(span[0], span[1]),
      span,
      sentence: this.collapsed(sentenceText),
      title,
      confidence: rest.confidence,
      dueRule: rest.dueRule,
      ...(rest.time ? { time: rest.time } : {}),
      ...(rest.assumed ? { assumed: rest.assumed } : {}),
    };
  }

  /** Many findings share a sentence: collapse each once. */
  private readonly collapsedCache = new Map<string, string>();
  private collapsed(text: string): string {
    let c = this.collapsedCache.get(text);
    if (c === undefined) {
      c = collapseSpaces(text);
      if (this.collapsedCache.size > 256) this.collapsedCache.clear();
      this.collapsedCache.set(text, c);
    }
    return c;
  }

  private firstSentence(p: Paragraph): string {
    // Sentences are in text order: the first one starting inside p, by binary search.
    const all = this.layout.sentences;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid]!.start < p.start) lo = mid + 1;
      else hi = mid;
    }
    const s = all[lo] && all[lo]!.start < p.end ? all[lo] : undefined;
    return s ? this.prepared.text.slice(s.start, s.end) : this.prepared.text.slice(p.start, Math.min(p.end, p.start + MAX_SENTENCE));
  }

  /** The task a "Thời gian hoàn thành: …" line dates is the item above it (without its own "Hàng năm," opening). */
  private itemTitle(timePara: Paragraph): string {
    const head = this.layout.paragraphs[this.layout.itemHeads[timePara.item] ?? 0]!;
    const sentence = head === timePara ? this.firstSentence(head) : firstClause(this.firstSentence(head));
    const opening = /^\s*(?:[-+•*–]\s*)?(?:(?:hằng|hàng|mỗi|định kỳ)\s+(?:năm|quý|tháng)|thường xuyên)\s*,?\s*/iu.exec(sentence);
    return makeTitle(opening ? sentence.slice(opening[0].length) : sentence, '');
  }

  /**
   * The action that a deadline inside a sentence belongs to. In the clause (up to ";") that
   * holds the phrase: a phrase that opens its comma part dates what follows it ("Hằng năm tổ
   * chức hội nghị …"); one that ends it dates what precedes it, from the clause start when that
   * is short, else the part itself or, if nothing is left ("…, hoàn thành trước ngày
   * 31/5/2023"), the part before. A "thời gian gửi về …" clause names no action: the clause
   * before it does.
   */
  private clauseTitle(sentence: string, phraseAt: number, phrase: string, para: Paragraph, keepPhrase: boolean, dated: boolean): string {
    const clauses = splitKeep(sentence, /;\s/g);
    let ci = clauses.findIndex((c) => phraseAt >= c.at && phraseAt < c.at + c.text.length + 2);
    if (ci < 0) ci = clauses.length - 1;
    const clause = clauses[ci]!;
    if (/^\s*(thời gian|thời hạn)/iu.test(clause.text)) {
      for (let k = ci - 1; k >= 0; k--) {
        const t = makeTitle(clauses[k]!.text, '');
        if (usable(t)) return t;
      }
      return this.itemTitle(para);
    }
    const at = phraseAt - clause.at;
    const cut = keepPhrase ? '' : phrase;
    const parts = splitKeep(clause.text, /,\s(?!ngày\s\d)/g);
    let pi = parts.findIndex((p) => at >= p.at && at < p.at + p.text.length + 2);
    if (pi < 0) pi = parts.length - 1;
    const part = parts[pi]!;
    const lead = clause.text.slice(part.at, at);
    // The phrase opens its part ("- Hàng năm, xây dựng …"), or follows "và" ("… và định kỳ hằng năm báo cáo …"): it dates what follows.
    if (/^[\s\-+•*–—>]*(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?$/u.test(lead) || /\s(và|đồng thời)\s*$/u.test(lead)) {
      const t = makeTitle(clause.text.slice(/\s(và|đồng thời)\s*$/u.test(lead) ? at : part.at), cut);
      if (usable(t)) return t;
    }
    const upTo = clause.text.slice(0, part.at + part.text.length);
    // A date is never part of the task's name; a cadence inside a clause may be ("báo cáo 6 tháng").
    const ends = endsWithPhrase(part.text, phrase) || dated;
    const partWords = collapseSpaces(part.text.replace(phrase, ' ')).split(' ').length;
    if (upTo.length <= 140 || (!ends && partWords < 6)) {
      const t = makeTitle(upTo, ends ? cut : '');
      if (usable(t)) return t;
    }
    for (let k = pi; k >= 0 && k >= pi - 3; k--) {
      const t = makeTitle(parts[k]!.text, k === pi && ends ? cut : '');
      if (usable(t)) return t;
    }
    return this.itemTitle(para);
  }
}

function splitKeep(text: string, separator: RegExp): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let at = 0;
  for (const m of text.matchAll(separator)) {
    out.push({ text: text.slice(at, m.index), at });
    at = m.index + m[0].length;
  }
  out.push({ text: text.slice(at), at });
  return out;
}

const firstClause = (sentence: string): string => sentence.split(/;\s/)[0] ?? sentence;

function endsWithPhrase(part: string, phrase: string): boolean {
  const p = collapseSpaces(part).replace(/[\s.;,:/]+$/u, '');
  return p.endsWith(collapseSpaces(phrase));
}

/** A window of the sentence around the phrase when the sentence is very long. */
function clampSentence(start: number, end: number, phraseStart: number, phraseEnd: number): { start: number; end: number } {
  if (end - start <= MAX_SENTENCE) return { start, end };
  const s = Math.max(start, phraseStart - 400);
  return { start: s, end: Math.min(end, Math.max(phraseEnd + 400, s + 200)) };
}

const round = (x: number): number => Math.max(0, Math.min(1, Math.round(x * 100) / 100));


/** A title worth showing: two words at least ("Gửi báo cáo"), not a stray fragment. */
const usable = (title: string): boolean => title.length >= 8 && title.includes(' ');
