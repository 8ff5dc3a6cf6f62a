/**
 * Time expressions in a directive, found on its tokens: dates in every way they are written
 * (21/5/2020, 21-5-2020, 21.5.2020, "ngày 05 tháng 3 năm 2024", with "14 giờ" before them),
 * months, quarters, halves and years, cadences ("hằng năm", "1 lần/quý", "ngày 15 hằng
 * tháng"), "thường xuyên", "khi có phát sinh", "từ ngày … đến ngày …", named days (Tết,
 * "dịp 19/5", Tháng Công nhân), and the things that look like dates but never are (terms of
 * office "nhiệm kỳ 2020-2025", anniversaries "3-2-1930 - 3-2-2020").
 *
 * Each pattern reads a bounded number of tokens forward from one position and the scan moves
 * past what it matched, so the whole pass is linear in the number of tokens: no regular
 * expression ever sees more than one token.
 */
import { isValidYmd } from '../civil-date.js';
import type { Token } from './text.js';

export interface DateParts {
  readonly day: number;
  readonly month: number;
  readonly year: number | null;
}

export type Mention =
  | { readonly type: 'date'; readonly date: DateParts; readonly time: string | null }
  | { readonly type: 'yearly_date'; readonly month: number; readonly day: number }
  | { readonly type: 'monthly_day'; readonly day: number }
  | { readonly type: 'range'; readonly first: DateParts; readonly last: DateParts }
  | { readonly type: 'month'; readonly month: number; readonly year: number | null; readonly edge: 'end' | 'start' | null }
  | { readonly type: 'month_range'; readonly first: number; readonly last: number; readonly year: number | null; readonly firstYear?: number }
  | { readonly type: 'after_event'; readonly days: number; readonly working: boolean }
  | { readonly type: 'quarter'; readonly quarter: number; readonly year: number | null; readonly edge?: 'end' }
  | { readonly type: 'half'; readonly half: 1 | 2; readonly year: number | null }
  | { readonly type: 'year'; readonly year: number; readonly edge?: 'end' }
  | { readonly type: 'cadence'; readonly cadence: 'yearly' | 'semiannual' | 'quarterly' | 'monthly'; readonly lead: boolean }
  | { readonly type: 'continuous' }
  | { readonly type: 'event' }
  | { readonly type: 'named'; readonly anchor: string; readonly year: number | null }
  | { readonly type: 'worker_month'; readonly year: number | null }
  | { readonly type: 'ignored'; readonly why: 'term' | 'anniversary' };

export type MentionAt = Mention & {
  /** First and one-past-last token. */
  readonly from: number;
  readonly to: number;
};

const ROMAN = new Map([['i', 1], ['ii', 2], ['iii', 3], ['iv', 4]]);
const roman = (t: string | undefined): number | null => (t === undefined ? null : (ROMAN.get(t) ?? null));
/** "dịp 19/5": the named days of config/calendar/rules.yaml that directives refer to by date. */
export const NAMED_DAY_BY_DATE: Readonly<Record<string, string>> = {
  '3/2': 'thanh_lap_dang',
  '8/3': 'quoc_te_phu_nu',
  '30/4': 'giai_phong_mien_nam',
  '1/5': 'quoc_te_lao_dong',
  '19/5': 'sinh_nhat_bac_ho',
  '28/6': 'gia_dinh_viet_nam',
  '27/7': 'thuong_binh_liet_si',
  '28/7': 'thanh_lap_cong_doan',
  '2/9': 'quoc_khanh',
  '20/10': 'phu_nu_viet_nam',
  '20/11': 'nha_giao_viet_nam',
};

export function scanMentions(tokens: readonly Token[]): MentionAt[] {
  const T = tokens;
  const word = (i: number, w: string): boolean => T[i]?.kind === 'word' && T[i]!.t === w;
  const words = (i: number, ...ws: string[]): number => {
    for (let k = 0; k < ws.length; k++) if (!word(i + k, ws[k]!)) return -1;
    return i + ws.length;
  };
  const num = (i: number, maxDigits = 2): number | null => {
    const t = T[i];
    return t?.kind === 'num' && t.t.length <= maxDigits ? Number(t.t) : null;
  };
  const year4 = (i: number): number | null => {
    const t = T[i];
    if (t?.kind !== 'num' || t.t.length !== 4) return null;
    const y = Number(t.t);
    return y >= 1900 && y <= 2199 ? y : null;
  };
  const punct = (i: number, set: string): string | null => {
    const t = T[i];
    return t?.kind === 'punct' && set.includes(t.t) ? t.t : null;
  };
  const DASH = '-–—';
  const SEP = '/-.–';

  /** A date at i: [ngày] D/M[/Y] or [ngày] D tháng M [năm Y]. Year-less dates need "ngày" (1/2 is a fraction). */
  function date(i: number, needNgay: boolean): { end: number; date: DateParts } | null {
    let j = i;
    const ngay = word(j, 'ngay');
    if (ngay) j++;
    const day = num(j);
    if (day === null) return null;
    let month: number | null = null;
    let year: number | null = null;
    let k: number;
    if (word(j + 1, 'thang') && num(j + 2) !== null) {
      month = num(j + 2);
      k = j + 3;
      if (word(k, 'nam') && year4(k + 1) !== null) {
        year = year4(k + 1);
        k += 2;
      } else if (punct(k, '/-') && year4(k + 1) !== null) {
        year = year4(k + 1);
        k += 2;
      }
    } else {
      const s = punct(j + 1, SEP);
      if (!s || num(j + 2) === null) return null;
      month = num(j + 2);
      k = j + 3;
      const s2 = punct(k, SEP);
      if (s2 && (s2 === s || DASH.includes(s2) === DASH.includes(s))) {
        const y4 = year4(k + 1);
        const y2 = num(k + 1);
        if (y4 !== null) year = y4;
        else if (y2 !== null && T[k + 1]!.t.length === 2 && s2 === s) year = 2000 + y2;
        if (year !== null) k += 2;
      }
      // "21.5" alone is a decimal, and "2.2." a heading number: a dotted date needs its year.
      if (s === '.' && year === null && !ngay) return null;
      // A symbol such as 12/2020/NĐ-CP continues with a separator and a word: not a date.
      if (punct(k, '/') && T[k + 1]?.kind === 'word') return null;
    }
    if (month === null || !isValidYmd(year ?? 2024, month, day)) return null;
    if (year === null && !ngay && needNgay) return null;
    return { end: k, date: { day, month, year } };
  }

  /** "14 giờ", "16h00", "8 giờ 30 phút" before a date; returns the tokens' end and the time as HH:MM. */
  function time(i: number): { end: number; time: string } | null {
    const h = num(i);
    if (h === null || h > 24) return null;
    let j = i + 1;
    if (!(word(j, 'gio') || word(j, 'h'))) return null;
    j++;
    let m = 0;
    const mm = num(j);
    if (mm !== null && mm < 60) {
      m = mm;
      j++;
      if (word(j, 'phut')) j++;
    }
    if (punct(j, ',')) j++;
    // "14 giờ, thứ 4, ngày 28 tháng 3 năm 2012"
    if (word(j, 'thu') && (num(j + 1) !== null || T[j + 1]?.kind === 'word')) {
      j += 2;
      if (punct(j, ',')) j++;
    }
    return { end: j, time: `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}` };
  }

  function yearAfter(i: number): { end: number; year: number } | null {
    if (word(i, 'nam') && year4(i + 1) !== null) return { end: i + 2, year: year4(i + 1)! };
    if (punct(i, '/-–.') && year4(i + 1) !== null) return { end: i + 2, year: year4(i + 1)! };
    return null;
  }

  const out: MentionAt[] = [];
  const push = (from: number, to: number, m: Mention): number => {
    out.push({ ...m, from, to } as MentionAt);
    return to;
  };

  function at(i: number): number {
    const t = T[i]!;
    if (t.kind === 'word') {
      switch (t.t) {
        case 'tu': {
          // "từ ngày 01/6/2020 đến (hết) ngày 30/6/2020", "từ 26/11/2023 – 10/12/2023", "từ ngày 12 đến 14-10-2020"
          const joinAt = (k: number): number => (word(k, 'den') ? (word(k + 1, 'het') ? k + 2 : k + 1) : punct(k, DASH) ? k + 1 : -1);
          const a = date(i + 1, false);
          if (a) {
            const j = joinAt(a.end);
            const b = j > 0 ? date(j, false) : null;
            if (b) return push(i, b.end, { type: 'range', first: a.date, last: b.date });
          }
          const dayOnly = word(i + 1, 'ngay') ? num(i + 2) : null;
          if (dayOnly !== null) {
            const j = joinAt(i + 3);
            const b = j > 0 ? date(j, false) : null;
            if (b && dayOnly <= b.date.day) return push(i, b.end, { type: 'range', first: { day: dayOnly, month: b.date.month, year: b.date.year }, last: b.date });
          }
          // "từ tháng 4 đến hết tháng 5", "từ tháng 4 - 6", "từ tháng 1-12/2023"
          if (word(i + 1, 'thang') && num(i + 2) !== null) {
            const m1 = num(i + 2)!;
            // "từ tháng 11/2023 đến tháng 2/2024": each end with its own year.
            const y1 = yearAfter(i + 3);
            if (y1) {
              let j = joinAt(y1.end);
              if (j > 0 && word(j, 'thang')) j++;
              const m2 = j > 0 ? num(j) : null;
              const y2 = m2 !== null ? yearAfter(j + 1) : null;
              if (m2 !== null && y2 && m1 >= 1 && m1 <= 12 && m2 >= 1 && m2 <= 12 && (y1.year < y2.year || (y1.year === y2.year && m1 <= m2))) {
                return push(i, y2.end, { type: 'month_range', first: m1, last: m2, year: y2.year, firstYear: y1.year });
              }
            }
            let j = joinAt(i + 3);
            if (j > 0 && word(j, 'thang')) j++;
            const m2 = j > 0 ? num(j) : null;
            if (m2 !== null && m1 >= 1 && m2 <= 12 && m1 <= m2) {
              const y = yearAfter(j + 1);
              return push(i, y ? y.end : j + 1, { type: 'month_range', first: m1, last: m2, year: y ? y.year : null });
            }
          }
          return -1;
        }
        case 'ngay': {
          // "ngày 15 hằng tháng"
          const d = num(i + 1);
          if (d !== null && d <= 31 && (word(i + 2, 'hang') || word(i + 2, 'moi')) && word(i + 3, 'thang')) return push(i, i + 4, { type: 'monthly_day', day: d });
          return dateAt(i);
        }
        case 'nhiem':
        case 'giai': {
          const e = word(i, 'nhiem') ? words(i, 'nhiem', 'ky') : words(i, 'giai', 'doan');
          if (e > 0 && year4(e) !== null) {
            let end = e + 1;
            if (punct(end, DASH) && year4(end + 1) !== null) end += 2;
            return push(i, end, { type: 'ignored', why: 'term' });
          }
          return -1;
        }
        case 'thang': {
          if (words(i, 'thang', 'cong', 'nhan') > 0) {
            const y = yearAfter(i + 3);
            return push(i, y ? y.end : i + 3, { type: 'worker_month', year: y ? y.year : null });
          }
          return month(i, i, null);
        }
        case 'cuoi':
        case 'dau':
        case 'giua': {
          if (word(i + 1, 'thang')) return month(i, i + 1, t.t === 'cuoi' ? 'end' : t.t === 'dau' ? 'start' : null);
          // "vào cuối quý IV/2023", "từ nay đến cuối năm 2025": by the last day.
          if (t.t === 'cuoi' && word(i + 1, 'quy')) {
            const q = roman(T[i + 2]?.t) ?? num(i + 2, 1);
            if (q !== null && q !== undefined && q >= 1 && q <= 4) {
              const y = yearAfter(i + 3);
              return push(i, y ? y.end : i + 3, { type: 'quarter', quarter: q, year: y ? y.year : null, edge: 'end' });
            }
          }
          if (t.t === 'cuoi' && word(i + 1, 'nam') && year4(i + 2) !== null) return push(i, i + 3, { type: 'year', year: year4(i + 2)!, edge: 'end' });
          return -1;
        }
        case 'quy': {
          const q = roman(T[i + 1]?.t) ?? num(i + 1, 1);
          if (q === null || q === undefined || q < 1 || q > 4) return -1;
          const y = yearAfter(i + 2);
          return push(i, y ? y.end : i + 2, { type: 'quarter', quarter: q, year: y ? y.year : null });
        }
        case 'nam': {
          const y = year4(i + 1);
          return y !== null ? push(i, i + 2, { type: 'year', year: y }) : -1;
        }
        case 'hang':
        case 'moi': {
          const lead = isLead(i);
          // "mỗi năm hai lần"
          if (word(i + 1, 'nam') && (word(i + 2, 'hai') || num(i + 2) === 2) && word(i + 3, 'lan')) return push(i, i + 4, { type: 'cadence', cadence: 'semiannual', lead });
          for (const [w, cadence] of [['nam', 'yearly'], ['quy', 'quarterly'], ['thang', 'monthly']] as const) {
            if (word(i + 1, w) && !(w === 'thang' && num(i - 1) !== null)) return push(i, i + 2, { type: 'cadence', cadence, lead });
          }
          return -1;
        }
        case 'dinh': {
          const e = words(i, 'dinh', 'ky');
          if (e < 0) return -1;
          if (num(e) === 6 && word(e + 1, 'thang')) return push(i, e + 2, { type: 'cadence', cadence: 'semiannual', lead: isLead(i) });
          for (const [w, cadence] of [['nam', 'yearly'], ['quy', 'quarterly'], ['thang', 'monthly']] as const) {
            if ((word(e, 'hang') || word(e, 'moi')) && word(e + 1, w)) return push(i, e + 2, { type: 'cadence', cadence, lead: isLead(i) });
          }
          return -1;
        }
        case 'bao': {
          // "báo cáo 6 tháng" (not "báo cáo 6 tháng đầu năm", a half-year period)
          const e = words(i, 'bao', 'cao');
          if (e > 0 && num(e) === 6 && word(e + 1, 'thang') && !word(e + 2, 'dau') && !word(e + 2, 'cuoi')) {
            return push(i, e + 2, { type: 'cadence', cadence: 'semiannual', lead: false });
          }
          // "báo cáo năm" (the yearly report), not "báo cáo năm 2020"
          if (e > 0 && word(e, 'nam') && T[e + 1]?.kind !== 'num') return push(i, e + 1, { type: 'cadence', cadence: 'yearly', lead: false });
          return -1;
        }
        case 'thuong':
          return words(i, 'thuong', 'xuyen') > 0 ? push(i, i + 2, { type: 'continuous' }) : -1;
        case 'khi': {
          for (const phrase of [['khi', 'co', 'phat', 'sinh'], ['khi', 'phat', 'sinh'], ['khi', 'co', 'yeu', 'cau'], ['khi', 'duoc', 'yeu', 'cau']]) {
            const e = words(i, ...phrase);
            if (e > 0) return push(i, e, { type: 'event' });
          }
          // "Báo cáo khi xảy ra sự cố …", "báo cáo khi có thay đổi": a report owed each time something happens.
          if (word(i - 2, 'bao') && word(i - 1, 'cao') && (word(i + 1, 'xay') || word(i + 1, 'co') || word(i + 1, 'phat'))) return push(i, i + 3, { type: 'event' });
          // "họp bất thường khi cần (thiết)", "đột xuất khi cần thiết"
          const unplanned = (word(i - 2, 'bat') && word(i - 1, 'thuong')) || (word(i - 2, 'dot') && word(i - 1, 'xuat'));
          if (unplanned && word(i + 1, 'can')) return push(i - 2, word(i + 2, 'thiet') ? i + 3 : i + 2, { type: 'event' });
          return -1;
        }
        case 'tet': {
          if (words(i, 'tet', 'nguyen', 'dan') < 0) return -1;
          let end = i + 3;
          // "Tết Nguyên đán Canh Tý 2020": a sexagenary name of two words, then maybe the year.
          let year: number | null = null;
          if (T[end]?.kind === 'word' && T[end + 1]?.kind === 'word' && /^(giap|at|binh|dinh|mau|ky|canh|tan|nham|quy)$/.test(T[end]!.t)) end += 2;
          if (year4(end) !== null) {
            year = year4(end);
            end++;
          }
          return push(i, end, { type: 'named', anchor: 'tet_nguyen_dan', year });
        }
        case 'dip': {
          const d = date(i + 1, false);
          if (d && d.date.year === null) {
            const anchor = NAMED_DAY_BY_DATE[`${d.date.day}/${d.date.month}`];
            const end = (word(d.end, 'hang') || word(d.end, 'moi')) && word(d.end + 1, 'nam') ? d.end + 2 : d.end;
            if (anchor) return push(i, end, { type: 'named', anchor, year: null });
          }
          return -1;
        }
        default:
          return -1;
      }
    }
    if (t.kind === 'num') {
      const n = Number(t.t);
      // "6 tháng đầu năm 2022", "6 tháng cuối năm"
      if (n === 6 && word(i + 1, 'thang') && (word(i + 2, 'dau') || word(i + 2, 'cuoi')) && word(i + 3, 'nam')) {
        const y = year4(i + 4);
        return push(i, y !== null ? i + 5 : i + 4, { type: 'half', half: word(i + 2, 'dau') ? 1 : 2, year: y });
      }
      // "6 tháng một lần", "1 lần/quý"
      if (n === 6 && word(i + 1, 'thang') && (word(i + 2, 'mot') || num(i + 2) === 1) && word(i + 3, 'lan')) {
        return push(i, i + 4, { type: 'cadence', cadence: 'semiannual', lead: false });
      }
      if (n === 1 && word(i + 1, 'lan')) {
        let j = i + 2;
        if (punct(j, '/') || word(j, 'trong') || word(j, 'moi')) j++;
        for (const [w, cadence] of [['nam', 'yearly'], ['quy', 'quarterly'], ['thang', 'monthly']] as const) {
          if (word(j, w)) return push(i, j + 1, { type: 'cadence', cadence, lead: false });
        }
      }
      // "(chậm nhất) 05 ngày làm việc sau khi …", "trong vòng 7 ngày kể từ …": due a number of days after an event.
      if (n > 0 && n <= 90 && word(i + 1, 'ngay')) {
        let j = i + 2;
        const working = words(j, 'lam', 'viec') > 0;
        if (working) j += 2;
        if (word(j, 'sau') || words(j, 'ke', 'tu') > 0 || words(j, 'tu', 'khi') > 0) return push(i, j + 1, { type: 'after_event', days: n, working });
        // "trong thời hạn 10 ngày làm việc", "trong vòng 7 ngày": counted from the event the sentence names.
        const within = (word(i - 1, 'han') && word(i - 2, 'thoi') && word(i - 3, 'trong')) || (word(i - 1, 'vong') && word(i - 2, 'trong'));
        if (within) return push(word(i - 1, 'vong') ? i - 2 : i - 3, j, { type: 'after_event', days: n, working });
      }
      const tm = time(i);
      if (tm) {
        const d = date(tm.end, false);
        if (d) return push(i, d.end, { type: 'date', date: d.date, time: tm.time });
      }
      return dateAt(i);
    }
    return -1;
  }

  function dateAt(i: number): number {
    // After "trước", "chậm nhất", "đến", "vào" a day/month needs no "ngày": "trước 30/8".
    const cued = ['truoc', 'nhat', 'den', 'het', 'vao', 'chot', 'cuoi'].includes(T[i - 1]?.t ?? '');
    const d = date(i, !cued);
    if (!d) return -1;
    // "3-2-1930 - 3-2-2020": an anniversary, the same day and month in two years.
    if (d.date.year !== null && punct(d.end, DASH)) {
      const e = date(d.end + 1, true);
      if (e && e.date.year !== null && e.date.day === d.date.day && e.date.month === d.date.month) return push(i, e.end, { type: 'ignored', why: 'anniversary' });
    }
    // "ngày 30/10 hàng năm"
    if (d.date.year === null && (word(d.end, 'hang') || word(d.end, 'moi')) && word(d.end + 1, 'nam')) {
      return push(i, d.end + 2, { type: 'yearly_date', month: d.date.month, day: d.date.day });
    }
    // "chậm nhất ngày 15/3 năm sau": each year, for the year before.
    if (d.date.year === null && word(d.end, 'nam') && word(d.end + 1, 'sau')) {
      return push(i, d.end + 2, { type: 'yearly_date', month: d.date.month, day: d.date.day });
    }
    // "trước ngày 10/07 của năm báo cáo", "… của năm liền kề năm báo cáo": every year.
    if (d.date.year === null && word(d.end, 'cua') && word(d.end + 1, 'nam') && T[d.end + 2]?.kind !== 'num') {
      return push(i, d.end + 2, { type: 'yearly_date', month: d.date.month, day: d.date.day });
    }
    return push(i, d.end, { type: 'date', date: d.date, time: null });
  }

  function month(from: number, thangAt: number, edge: 'end' | 'start' | null): number {
    const m = num(thangAt + 1);
    if (m === null || m < 1 || m > 12) return -1;
    const y = yearAfter(thangAt + 2);
    if (y) return push(from, y.end, { type: 'month', month: m, year: y.year, edge });
    // "vào cuối tháng 3", "trong tháng 4": a month without its year only after words that make it a time to act.
    const prev = T[from - 1]?.t ?? '';
    if (edge !== null || prev === 'trong' || prev === 'truoc' || prev === 'vao' || prev === 'nhat') {
      if (num(thangAt + 2) !== null || word(thangAt + 2, 'hang') || word(thangAt + 2, 'nam')) return -1;
      return push(from, thangAt + 2, { type: 'month', month: m, year: null, edge });
    }
    return -1;
  }

  /** A cadence that opens its clause ("Hàng năm, xây dựng …") states how often; mid-clause it may only qualify a noun. */
  function isLead(i: number): boolean {
    const prev = T[i - 1];
    return prev === undefined || T[i]!.newlines > 0 || (prev.kind === 'punct' && ',;:.(-–'.includes(prev.t));
  }

  for (let i = 0; i < T.length; ) {
    const end = at(i);
    i = end > i ? end : i + 1;
  }
  return out;
}
