/**
 * A one-line Vietnamese title for an obligation, made from the clause that asks for it:
 * "báo cáo chuyên đề về thực hiện theo Kết luận số 19-KL/TU, ngày 12/11/2019 ngày 30/10 hàng
 * năm" becomes "Báo cáo chuyên đề về thực hiện theo Kết luận số 19-KL/TU". The deadline itself,
 * the dates of cited documents, list markers and the time-field label go; what is left is the
 * action, cut at a word boundary.
 */
import { collapseSpaces } from './text.js';

const MAX_TITLE = 110;

const LEADING_MARKERS = /^(?:[-+•*–—>]\s*|[a-zđ]\)\s*|(?:\d{1,2}\.)+\d{0,2}\.?\s+|[IVX]{1,5}\.\s+)+/u;
const TIME_LABEL = /^(?:thời gian|thời hạn|tiến độ)[^:]{0,60}:\s*/iu;
/** ", ngày 12/11/2019" after a cited document, and the deadline words left dangling at the end. */
const CITED_DATE = /,?\s*ngày\s*\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}/gu;
const DANGLING_END = /[\s,;:.(–-]*(?:(?:và|hoặc|thời gian|chậm nhất|hạn chót|hạn cuối|trước|vào|trong|ngày|là|hoàn thành|xong|gửi về|gửi)\s*)*[\s,;:.(–-]*$/iu;
const FILLER_START = /^(?:đề nghị|yêu cầu|giao)\s+(?:các\s+)?(?:công đoàn cơ sở|cđcs|đơn vị)\s+/iu;

/** Only the tail is looked at, so the cost stays bounded however long the clause. */
const trimEnd = (s: string): string => {
  const cut = Math.max(0, s.length - 80);
  return s.slice(0, cut) + s.slice(cut).replace(DANGLING_END, '');
};

export function makeTitle(clause: string, phrase: string): string {
  let s = collapseSpaces(clause);
  if (phrase) {
    const at = s.indexOf(collapseSpaces(phrase));
    if (at >= 0) s = `${s.slice(0, at)} ${s.slice(at + collapseSpaces(phrase).length)}`;
  }
  s = s.replace(LEADING_MARKERS, '').replace(TIME_LABEL, '').replace(CITED_DATE, '').replace(FILLER_START, '');
  s = trimEnd(collapseSpaces(s));
  s = s.replace(/^[\s,;:.–-]+/, '').replace(/[\s./]+$/, '');
  if (s.length > MAX_TITLE) {
    // Prefer to cut at a comma after a readable length, else at a word.
    const comma = s.lastIndexOf(',', MAX_TITLE);
    const space = s.lastIndexOf(' ', MAX_TITLE);
    s = comma >= 45 ? s.slice(0, comma) : `${s.slice(0, space > 0 ? space : MAX_TITLE)}…`;
    s = s.endsWith('…') ? `${trimEnd(s.slice(0, -1))}…` : trimEnd(s);
  }
  // A cut inside a quotation closes it.
  if (s.lastIndexOf('“') > s.lastIndexOf('”')) s = `${s.replace(/…$/, '')}…”`;
  return s ? s[0]!.toLocaleUpperCase('vi') + s.slice(1) : '';
}
